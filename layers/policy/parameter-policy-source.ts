import { background } from '../resilience/background.ts';
import type { PolicyDocument } from './policy-content.ts';
import { policyFromDocument } from './policy-content.ts';
import { PolicyHolder, type PolicyListener, type PolicySource } from './policy-source.ts';

/** Reads a parameter's current text (Powertools' SSMProvider `get`, or a stand-in in tests). */
export type ParameterReader = (name: string) => Promise<string | undefined>;

export interface ParameterPolicySourceOptions {
  /** The SSM parameter the CDK app writes the policy document into (POLICY_PARAMETER_NAME). */
  readonly name: string;
  readonly read: ParameterReader;
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
 * The policy of an SSM parameter, on AWS: read once at cold start (the only read an answer waits
 * for; a parameter that does not validate then fails the cold start), then again in the background
 * when an answer finds it older than `refreshMs`: the answer uses the last good policy meanwhile,
 * so a new one is taken up within `refreshMs` of the next call plus one read. An update that does
 * not validate is refused (`listener.refused`) and the last good stays.
 *
 * @example
 * const source = await loadParameterPolicySource({ name, read, refreshMs: 60_000, listener });
 */
export async function loadParameterPolicySource(
  options: ParameterPolicySourceOptions,
): Promise<PolicySource> {
  const now = options.now ?? Date.now;
  const run = options.run ?? ((label, task) => background.run(label, task));
  const source = `ssm:${options.name}`;
  const holder = new PolicyHolder(options.listener, () => new Date(now()));
  const load = async () => {
    const text = await options.read(options.name);
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
