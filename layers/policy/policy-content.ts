import { type Policy, type PolicyLineOf, parsePolicy } from '../auth/policy.ts';
import { canonicalJson, inputDigest } from '../digest/input-digest.ts';

/**
 * The policy as a deployment keeps it: what its policy directory (infra/policy/) holds, as data.
 * Locally it is read from the files (layers/policy/policy-yaml.ts); on AWS the CDK app writes it,
 * validated, as JSON through AWS AppConfig (infra/constructs/policy-configuration.ts).
 */
export interface PolicyDocument {
  /** policy.yaml's content: the special roles and the roles with their grants and field rules. */
  readonly policy: unknown;
  /**
   * The argument rules: `*.cedar` file name → its text, from the same directory. Part of the
   * content, so of the version; evaluated by layers/argument-policy/ (see `cedarFilesOf`).
   */
  readonly cedar?: Readonly<Record<string, string>>;
}

/**
 * A document as AppConfig holds it: its canonical JSON, the text the CDK app deploys and the
 * functions read (layers/policy/remote-policy-source.ts); local mode's AppConfig serves the same.
 *
 * @example
 * policyDocumentJson(loadPolicyFile('infra/policy/policy.yaml').document); // '{"cedar":{…},"policy":{…}}'
 */
export const policyDocumentJson = (document: PolicyDocument): string => canonicalJson(document);

/** Length of a policy version: 12 hex digits of SHA-256 (48 bits). */
const VERSION_LENGTH = 12;

/**
 * The policy of a document, validated by `parsePolicy`, with its version derived from the content
 * (12 hex digits of the SHA-256 of its canonical JSON, after validation, so comments and layout do
 * not change it). A document that writes its own `version` is refused: the version is not typed
 * by hand.
 *
 * @example
 * const policy = policyFromDocument({ policy: data }, 'infra/policy/policy.yaml'); // policy.version: 'a1b2c3d4e5f6'
 */
export function policyFromDocument(
  document: PolicyDocument,
  source: string,
  options: { lineOf?: PolicyLineOf } = {},
): Policy {
  const content = document.policy;
  if (content !== null && typeof content === 'object' && Object.hasOwn(content, 'version')) {
    const line = options.lineOf?.(['version']);
    throw new Error(
      `The policy in ${source} does not validate:\n${line === undefined ? source : `${source}:${line}`}: version: the version is derived from the content; remove this line.`,
    );
  }
  // A placeholder the schema accepts; the real one is made from the validated content.
  const parsed = parsePolicy({ ...(content as object), version: 'pending' }, source, options);
  const { version: _pending, ...validated } = parsed;
  const hash = inputDigest({ policy: validated, cedar: document.cedar ?? {} });
  return { ...parsed, version: hash.slice(0, VERSION_LENGTH), cedar: document.cedar ?? {} };
}

/**
 * A policy's Cedar files, in name order, as the argument rules read them.
 *
 * @example
 * argumentRulesOf(cedarFilesOf(policy), registry.all);
 */
export function cedarFilesOf(policy: Pick<Policy, 'cedar'>): { name: string; text: string }[] {
  return Object.entries(policy.cedar ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, text]) => ({ name, text }));
}
