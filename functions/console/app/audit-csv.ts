import type { AuditRecord } from './api.ts';
import { type CsvColumn, toCsv } from './csv.ts';

/** The columns of an audit export, in order: one per field of a record, lists joined by `; `. */
export const auditColumns: readonly CsvColumn<AuditRecord>[] = [
  { header: 'at', value: (r) => r.at },
  { header: 'auditId', value: (r) => r.auditId },
  { header: 'requestId', value: (r) => r.requestId },
  { header: 'user', value: (r) => r.sub },
  { header: 'roles', value: (r) => (r.roles ?? []).join('; ') },
  { header: 'clientId', value: (r) => r.clientId },
  { header: 'tool', value: (r) => r.tool },
  { header: 'outcome', value: (r) => r.outcome },
  { header: 'statusCode', value: (r) => r.statusCode },
  { header: 'errorCode', value: (r) => r.errorCode },
  { header: 'errorMessage', value: (r) => r.errorMessage },
  { header: 'durationMs', value: (r) => r.durationMs },
  { header: 'conversationId', value: (r) => r.conversationId },
  { header: 'reason', value: (r) => r.reason },
  {
    header: 'upstream',
    value: (r) =>
      (r.upstream ?? [])
        .map((call) =>
          [call.system, call.credential, call.requestId, call.status]
            .filter((part) => part !== undefined)
            .join(' '),
        )
        .join('; '),
  },
  { header: 'input', value: (r) => (r.input === undefined ? undefined : JSON.stringify(r.input)) },
];

/**
 * The CSV of audit records, as the Audit page exports them.
 *
 * @example
 * auditCsv(records); // 'at,auditId,requestId,user,…\r\n2026-12-02T15:00:00.000Z,…\r\n'
 */
export const auditCsv = (records: readonly AuditRecord[]): string => toCsv(records, auditColumns);

/** The most records an export holds: every page of the search up to this many. */
export const EXPORT_MAX = 5000;
