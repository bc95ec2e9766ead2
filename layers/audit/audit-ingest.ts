import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import { type AuditLine, parseAuditLine } from './audit-log.ts';
import type { DynamoAuditTable } from './audit-repository.ts';

/**
 * The audit lines of one CloudWatch Logs subscription delivery (base64 gzip JSON). Control
 * messages (CloudWatch's check that the destination is reachable) and every line that is not an
 * audit line carry none.
 *
 * @example
 * auditLinesOf(event); // [{ auditId, record }, …]
 */
export function auditLinesOf(event: CloudWatchLogsEvent): AuditLine[] {
  const data = JSON.parse(
    gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'),
  ) as CloudWatchLogsDecodedData;
  if (data.messageType !== 'DATA_MESSAGE') return [];
  return data.logEvents.flatMap((logEvent) => parseAuditLine(logEvent.message) ?? []);
}

/**
 * Writes the audit lines of one delivery to the audit table. A failure throws, so that the
 * platform delivers the batch again (Lambda's asynchronous retries, then its on-failure
 * destination); a line written twice overwrites its own item.
 *
 * @example
 * await ingestAuditLogs(event, { table, logger });
 */
export async function ingestAuditLogs(
  event: CloudWatchLogsEvent,
  deps: {
    table: Pick<DynamoAuditTable, 'putAll'>;
    logger: { info(message: string, ...extra: unknown[]): void };
  },
): Promise<{ records: number }> {
  const lines = auditLinesOf(event);
  if (lines.length > 0) await deps.table.putAll(lines);
  deps.logger.info('audit records ingested', { records: lines.length });
  return { records: lines.length };
}
