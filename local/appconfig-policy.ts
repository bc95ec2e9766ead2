import type { Policy } from '#layers/auth/policy.ts';
import { appConfigPolicySource } from '#layers/composition/instance-policy.ts';
import { logger } from '#layers/observability/logger.ts';
import { watchPolicyFile } from '#layers/policy/file-policy-source.ts';
import { policyDocumentJson } from '#layers/policy/policy-content.ts';
import type { PolicySource } from '#layers/policy/policy-source.ts';
import { loadPolicyFile } from '#layers/policy/policy-yaml.ts';
import type { AppConfigEmulator, AppConfigIds } from './appconfig-emulator.ts';

/** Where local mode deploys the policy in its AppConfig (names, as AppConfig accepts them). */
export const localPolicyConfiguration: AppConfigIds = {
  application: 'toolgate-local',
  environment: 'local',
  profile: 'policy',
};

/** How local mode reads the policy: its file directly, or through AppConfig as a Lambda does. */
export type LocalPolicySource = 'file' | 'appconfig';

/** `TOOLGATE_POLICY_SOURCE`, checked: `file` (the default) or `appconfig`. */
export function localPolicySourceOf(value: string | undefined): LocalPolicySource {
  if (value === undefined || value === '' || value === 'file') return 'file';
  if (value === 'appconfig') return 'appconfig';
  throw new Error(
    `TOOLGATE_POLICY_SOURCE must be "file" (read the policy file directly) or "appconfig" (read it through the embedded AppConfig, as a Lambda does), not "${value}".`,
  );
}

/**
 * The policy through the embedded AppConfig (`TOOLGATE_POLICY_SOURCE=appconfig`): the file is
 * deployed to it as the CDK app deploys it (the same JSON document), again on each change that
 * validates (one that does not is refused, as synth refuses it, and not deployed), and the
 * gateway reads it with the functions' own AppConfig source: Powertools Parameters over the
 * AppConfigData client, polled every POLICY_REFRESH_SECONDS.
 *
 * @example
 * const { source, close } = await appConfigPolicyFeed({ appConfig, policyFile, shownAs, refreshSeconds: 60 });
 */
export async function appConfigPolicyFeed(options: {
  appConfig: AppConfigEmulator;
  policyFile: string;
  shownAs: string;
  refreshSeconds: number;
  auditLogFile?: string | undefined;
  check?: (policy: Policy) => Promise<void>;
}): Promise<{ source: PolicySource; close(): void }> {
  const { appConfig, policyFile, shownAs } = options;
  const deployFile = () =>
    appConfig.deploy(
      localPolicyConfiguration,
      policyDocumentJson(loadPolicyFile(policyFile, shownAs).document),
    );
  deployFile();
  const feed = watchPolicyFile(
    policyFile,
    {
      taken(change) {
        if (change.previousVersion === undefined) return;
        try {
          deployFile();
        } catch (error) {
          // Changed again while being deployed: the next change event deploys it.
          logger.warn('policy file changed while deployed to the local AppConfig', {
            error: (error as Error).message,
          });
        }
      },
      refused(problem) {
        logger.error('policy file not deployed to the local AppConfig: it does not validate', {
          ...problem,
        });
      },
    },
    { shownAs, ...(options.check ? { check: options.check } : {}) },
  );
  try {
    const source = await appConfigPolicySource({
      ...localPolicyConfiguration,
      refreshSeconds: options.refreshSeconds,
      auditLogFile: options.auditLogFile,
    });
    return { source, close: () => feed.close() };
  } catch (error) {
    feed.close();
    throw error;
  }
}
