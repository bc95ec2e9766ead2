import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (this file is layers/policy/policy-file.ts). */
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The deployment's policy file: `infra/policy/policy.yaml`, as an absolute path. */
export const defaultPolicyFile = resolve(ROOT, 'infra/policy/policy.yaml');

/** A path as errors name it: relative to the repository when inside it. */
export const displayPath = (file: string): string => {
  const inside = relative(ROOT, resolve(file));
  return inside.startsWith('..') ? file : inside;
};
