import { background } from '../resilience/background.ts';
import type { PolicyDocument } from './policy-content.ts';
import { policyFromDocument } from './policy-content.ts';
import { PolicyHolder, type PolicyListener, type PolicySource } from './policy-source.ts';

/** Reads the policy document's current text (Powertools' AppConfigProvider, or a stand-in in tests). */
export type PolicyReader = () => Promise<string | undefined>;

export interface RemotePolicySourceOptions {
  /** Where the document comes from, as errors and audit records name it, e.g. `appconfig:<ids>`. */
  readonly source: string;
  readonly read: PolicyReader;
  /** How old the policy may get before it is read again, in the background (POLICY_REFRESH_SECONDS). */
  readonly refreshMs: number;
  readonly listener?: PolicyListener;
  /** @default Date.now */
  readonly now?: () => number;
  /** Where the background refresh runs (tests settle it). @default the shared `background` */
  readonly run?: (label: string, task: () => Promise<unknown>) => void;
}

const documentOf = (text: string | undefined, source: string): PolicyDocument => {
  if (text === undefined)
    throw new Error(`The policy in ${source} does not validate: it is empty.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `The policy in ${source} does not validate: it is not JSON (${(error as Error).message}); deploy it from infra/policy/ with the CDK app.`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || !Object.hasOwn(parsed, 'policy'))
    throw new Error(
      `The policy in ${source} does not validate: it holds no "policy" object; deploy it from infra/policy/ with the CDK app.`,
    );
  return parsed as PolicyDocument;
};

/**
 * The policy of a remote configuration (AppConfig, on AWS): read once at cold start (the only read an answer waits
 * for; a parameter that does not validate then fails the cold start), then again in the background
 * when an answer finds it older than `refreshMs`: the answer uses the last good policy meanwhile,
 * so a new one is taken up within `refreshMs` of the next call plus one read. An update that does
 * not validate is refused (`listener.refused`) and the last good stays; a read that fails is
 * reported to the background's reporter and tried again after `refreshMs`.
 *
 * @example
 * const source = await loadRemotePolicySource({ source: 'appconfig:a/b/c', read, refreshMs: 60_000, listener });
 */
export async function loadRemotePolicySource(
  options: RemotePolicySourceOptions,
): Promise<PolicySource> {
  const now = options.now ?? Date.now;
  const run = options.run ?? ((label, task) => background.run(label, task));
  const { source } = options;
  const holder = new PolicyHolder(options.listener, () => new Date(now()));
  const load = async () => {
    const text = await options.read();
    return () => policyFromDocument(documentOf(text, source), source);
  };
  const first = (await load())();
  holder.offer(source, () => first);
  let checkedAt = now();
  let refreshing = false;
  return {
    current() {
      if (!refreshing && now() - checkedAt >= options.refreshMs) {
        refreshing = true;
        run('policy refresh', async () => {
          try {
            holder.offer(source, await load());
          } finally {
            checkedAt = now();
            refreshing = false;
          }
        });
      }
      return holder.current();
    },
  };
}
