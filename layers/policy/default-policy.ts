import type { Policy } from '../auth/policy.ts';
import { defaultPolicyFile, displayPath } from './policy-file.ts';
import { loadPolicyFile } from './policy-yaml.ts';

/**
 * The policy of the deployment's file, read once when first imported: for local tools (the token
 * CLI, the dev sign-in page's roles) and tests. Never imported by a function's handler: a running
 * gateway reads the policy through its PolicySource (layers/policy/instance-policy.ts).
 *
 * @example
 * Object.keys(defaultPolicy.roles); // ['viewer', 'support', …]
 */
export const defaultPolicy: Policy = loadPolicyFile(
  defaultPolicyFile,
  displayPath(defaultPolicyFile),
).policy;
