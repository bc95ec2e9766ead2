import { createHash } from 'node:crypto';

/** Step Functions' limit on a state machine's name. */
const MAX_NAME = 80;
/** What a shortened part keeps for its own: `-` and 8 hex digits of its hash. */
const HASH_LENGTH = 8;

const hash = (value: string): string =>
  createHash('sha256').update(value).digest('hex').slice(0, HASH_LENGTH);

/** Letters, digits, `-` and `_` only; a part that had to change or be cut gets a hash suffix. */
const fitted = (value: string, length: number): string => {
  const clean = value.replace(/[^A-Za-z0-9_-]/g, '-');
  if (clean === value && clean.length <= length) return clean;
  return `${clean.slice(0, length - HASH_LENGTH - 1)}-${hash(value)}`;
};

/**
 * The start shared by every saga state machine's name of an API stack: `<stack>-saga-`, the stack
 * name cut to 40 characters (with a hash) so that any tool name still fits in the 80.
 */
export const sagaStateMachinePrefix = (stackName: string): string =>
  `${fitted(stackName, 40)}-saga-`;

/**
 * The name of a write tool's saga state machine: the stack's prefix and the tool name, the tool
 * name shortened (with a hash of it) when the whole would pass Step Functions' 80 characters. The
 * CDK app names the state machines with it and the write worker finds them with it.
 *
 * @example sagaStateMachineName(sagaStateMachinePrefix('toolgate-api'), 'create_ticket')
 * // 'toolgate-api-saga-create_ticket'
 */
export const sagaStateMachineName = (prefix: string, tool: string): string =>
  `${prefix}${fitted(tool, MAX_NAME - prefix.length)}`;

/**
 * A write tool's saga state machine ARN, from SAGA_STATE_MACHINE_PREFIX: the state machine ARN up
 * to and including the name prefix (`arn:aws:states:<region>:<account>:stateMachine:<stack>-saga-`).
 */
export function sagaStateMachineArn(arnPrefix: string, tool: string): string {
  const marker = ':stateMachine:';
  const at = arnPrefix.indexOf(marker);
  if (at < 0)
    throw new Error(
      `SAGA_STATE_MACHINE_PREFIX must be a state machine ARN up to its name prefix (arn:aws:states:<region>:<account>:stateMachine:<prefix>); got ${arnPrefix}`,
    );
  const base = arnPrefix.slice(0, at + marker.length);
  return `${base}${sagaStateMachineName(arnPrefix.slice(at + marker.length), tool)}`;
}
