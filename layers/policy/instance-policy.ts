import type { AuditLog } from '../audit/audit-log.ts';
import { fileAuditLog, stdoutAuditLog } from '../audit/audit-log.ts';
import { policyChangeRecord, policyRefusalRecord } from '../audit/policy-change-audit.ts';
import { runtimeEnvSchema } from '../config/env.ts';
import { logger } from '../observability/logger.ts';
import { loadParameterPolicySource } from './parameter-policy-source.ts';
import type { PolicyListener, PolicySource } from './policy-source.ts';

/**
 * What a source of this instance does with the policies it takes up and the updates it refuses:
 * every policy taken up (the first load, each change) becomes an audit record on `log` (GET /audit
 * finds it with `tool=policy`); a refused update is logged with its problem and recorded as an
 * `error` record with it, and the last good policy stays.
 *
 * @example
 * watchPolicyFile(file, policyAuditListener(fileAuditLog(auditFile)));
 */
export function policyAuditListener(
  log: AuditLog,
  messages: Pick<typeof logger, 'info' | 'error'> = logger,
): PolicyListener {
  return {
    taken(change) {
      messages.info('policy taken up', { ...change });
      log.write(policyChangeRecord(change));
    },
    refused(problem) {
      messages.error('policy update refused: the last good policy stays', { ...problem });
      log.write(policyRefusalRecord(problem, new Date()));
    },
  };
}

let installed: PolicySource | undefined;

/**
 * Gives this process's functions their policy source when no SSM parameter does: local mode
 * installs its watched file (local/start-local.ts), the test setup the repository's file.
 */
export function installPolicySource(source: PolicySource | undefined): void {
  installed = source;
}

const settings = runtimeEnvSchema
  .pick({ POLICY_PARAMETER_NAME: true, POLICY_REFRESH_SECONDS: true, AUDIT_LOG_FILE: true })
  .parse(process.env);

/** The parameter's policy, read at cold start: the one read an answer waits for, and only the first. */
const fromParameter = settings.POLICY_PARAMETER_NAME
  ? await (async (name: string) => {
      const [{ SSMProvider }, { SSMClient }] = await Promise.all([
        import('@aws-lambda-powertools/parameters/ssm'),
        import('@aws-sdk/client-ssm'),
      ]);
      const provider = new SSMProvider({ awsSdkV3Client: new SSMClient({}) });
      return loadParameterPolicySource({
        name,
        read: (parameter) => provider.get(parameter, { forceFetch: true }),
        refreshMs: settings.POLICY_REFRESH_SECONDS * 1000,
        listener: policyAuditListener(
          settings.AUDIT_LOG_FILE ? fileAuditLog(settings.AUDIT_LOG_FILE) : stdoutAuditLog(),
        ),
      });
    })(settings.POLICY_PARAMETER_NAME)
  : undefined;

/**
 * This instance's policy source: the SSM parameter's (POLICY_PARAMETER_NAME, on AWS), else the one
 * installed by local mode or the tests.
 *
 * @example
 * const policy = livePolicy(instancePolicySource());
 */
export function instancePolicySource(): PolicySource {
  const source = fromParameter ?? installed;
  if (!source)
    throw new Error(
      'The gateway has no policy: set POLICY_PARAMETER_NAME (the CDK app does) or run it in local mode, which reads infra/policy/policy.yaml.',
    );
  return source;
}
