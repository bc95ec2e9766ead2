import type { AuditLog } from '../audit/audit-log.ts';
import { fileAuditLog, stdoutAuditLog } from '../audit/audit-log.ts';
import { policyChangeRecord, policyRefusalRecord } from '../audit/policy-change-audit.ts';
import { runtimeEnvSchema } from '../config/env.ts';
import { logger } from '../observability/logger.ts';
import type { PolicyListener, PolicySource } from '../policy/policy-source.ts';
import { loadRemotePolicySource } from '../policy/remote-policy-source.ts';

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
 * Gives this process's functions their policy source when AppConfig does not: local mode
 * installs its watched file (local/start-local.ts), the test setup the repository's file.
 */
export function installPolicySource(source: PolicySource | undefined): void {
  installed = source;
}

const settings = runtimeEnvSchema
  .pick({
    POLICY_APPCONFIG_APPLICATION: true,
    POLICY_APPCONFIG_ENVIRONMENT: true,
    POLICY_APPCONFIG_PROFILE: true,
    POLICY_REFRESH_SECONDS: true,
    AUDIT_LOG_FILE: true,
  })
  .parse(process.env);

/** Reads the policy from AppConfig through Powertools Parameters, each call a poll of one session. */
async function appConfigReader(ids: {
  application: string;
  environment: string;
  profile: string;
  pollSeconds: number;
}): Promise<() => Promise<string | undefined>> {
  // Loaded only where the deployment set AppConfig up; the AppConfigData client is small (two
  // operations), unlike SSM's, which would add about 230 KB to every function's bundle.
  const [{ AppConfigProvider }, { AppConfigDataClient }] = await Promise.all([
    import('@aws-lambda-powertools/parameters/appconfig'),
    import('@aws-sdk/client-appconfigdata'),
  ]);
  const provider = new AppConfigProvider({
    application: ids.application,
    environment: ids.environment,
    awsSdkV3Client: new AppConfigDataClient({}),
  });
  const decoder = new TextDecoder();
  return async () => {
    // The session's poll interval is the refresh time; an unchanged configuration answers the last one.
    const value = await provider.get(ids.profile, {
      forceFetch: true,
      sdkOptions: { RequiredMinimumPollIntervalInSeconds: ids.pollSeconds },
    });
    return value === undefined ? undefined : decoder.decode(value);
  };
}

/**
 * The policy of an AppConfig configuration, as a Lambda function reads it: Powertools Parameters'
 * AppConfigProvider over the AppConfigData client (its endpoint the SDK's own setting,
 * `AWS_ENDPOINT_URL_APPCONFIGDATA` locally), read now and refreshed every `refreshSeconds`, each
 * version taken up and each refusal in the audit trail. Local mode uses it with
 * `TOOLGATE_POLICY_SOURCE=appconfig` (local/appconfig-emulator.ts).
 *
 * @example
 * const source = await appConfigPolicySource({ application, environment, profile, refreshSeconds: 60 });
 */
export async function appConfigPolicySource(options: {
  application: string;
  environment: string;
  profile: string;
  refreshSeconds: number;
  auditLogFile?: string | undefined;
}): Promise<PolicySource> {
  const { application, environment, profile, refreshSeconds } = options;
  return loadRemotePolicySource({
    source: `appconfig:${application}/${environment}/${profile}`,
    read: await appConfigReader({ application, environment, profile, pollSeconds: refreshSeconds }),
    refreshMs: refreshSeconds * 1000,
    listener: policyAuditListener(
      options.auditLogFile ? fileAuditLog(options.auditLogFile) : stdoutAuditLog(),
    ),
  });
}

const { POLICY_APPCONFIG_APPLICATION, POLICY_APPCONFIG_ENVIRONMENT, POLICY_APPCONFIG_PROFILE } =
  settings;
/** AppConfig's policy, read at cold start: the one read an answer waits for, and only the first. */
const fromAppConfig =
  POLICY_APPCONFIG_APPLICATION && POLICY_APPCONFIG_ENVIRONMENT && POLICY_APPCONFIG_PROFILE
    ? await appConfigPolicySource({
        application: POLICY_APPCONFIG_APPLICATION,
        environment: POLICY_APPCONFIG_ENVIRONMENT,
        profile: POLICY_APPCONFIG_PROFILE,
        refreshSeconds: settings.POLICY_REFRESH_SECONDS,
        auditLogFile: settings.AUDIT_LOG_FILE,
      })
    : undefined;

/**
 * This instance's policy source: AppConfig's (POLICY_APPCONFIG_*, on AWS), else the one
 * installed by local mode or the tests.
 *
 * @example
 * const policy = livePolicy(instancePolicySource());
 */
export function instancePolicySource(): PolicySource {
  const source = fromAppConfig ?? installed;
  if (!source)
    throw new Error(
      'The gateway has no policy: set POLICY_APPCONFIG_APPLICATION, _ENVIRONMENT and _PROFILE (the CDK app does) or run it in local mode, which reads infra/policy/policy.yaml.',
    );
  return source;
}
