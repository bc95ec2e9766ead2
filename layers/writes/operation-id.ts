import { createHash } from 'node:crypto';

/** The operation id a confirmation leads to: derived, so a retried confirmation finds the same one. */
export function operationIdFor(confirmationId: string): string {
  return `op_${createHash('sha256').update(`operation:${confirmationId}`).digest('hex').slice(0, 32)}`;
}
