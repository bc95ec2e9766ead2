import { AuditUnavailableError } from '../errors/index.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuditRecord } from './audit-repository.ts';

/**
 * What a successful call does when its audit line cannot be written (stdout, or the local file):
 * a write (a proposal, a confirmation, a switch) is always refused; a read is refused too
 * (`closed`, the default) unless the deployment chose availability over a complete trail (`open`,
 * AUDIT_FAILURE_MODE).
 */
export type AuditFailureMode = 'closed' | 'open';

/** Whether the call changes anything (reads are GET routes and read tools). */
export type CallEffect = 'read' | 'write';

export interface CallAuditor {
  /**
   * Writes the record's audit line. Returns the error to answer instead of a success when the line
   * could not be written and the call must not stand unaudited; a failed call keeps its own error.
   */
  record(record: AuditRecord, effect: CallEffect): Promise<AuditUnavailableError | undefined>;
}

/**
 * The audit trail as every edge (REST, MCP) uses it: one line per call on the audit log, written
 * before the answer leaves and delivered to the audit table by a subscription, so the answer waits
 * for no round trip.
 *
 * @example
 * const auditor = createCallAuditor({ log: stdoutAuditLog(), mode: 'closed', logger });
 * const refusal = await auditor.record(record, 'read'); // answer `refusal` instead, if any
 */
export function createCallAuditor(options: {
  log: AuditLog;
  mode: AuditFailureMode;
  logger: { error(message: string, ...extra: unknown[]): void };
}): CallAuditor {
  return {
    async record(record, effect) {
      try {
        options.log.write(record);
        return undefined;
      } catch (error) {
        options.logger.error('audit write failed', {
          error,
          requestId: record.requestId,
          tool: record.tool,
        });
        if (record.outcome !== 'success') return undefined;
        if (effect === 'read' && options.mode === 'open') return undefined;
        return new AuditUnavailableError(
          effect === 'write'
            ? 'The gateway could not record this call in its audit trail, so it did not accept it. Call again in a few seconds; a write proposal with the same Idempotency-Key, or a confirmation, is not duplicated.'
            : 'The gateway could not record this call in its audit trail, so it does not answer it. Call again in a few seconds.',
        );
      }
    },
  };
}
