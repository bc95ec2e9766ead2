import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { auditLinesOf, ingestAuditLogs } from '#layers/audit/audit-ingest.ts';
import { auditLine } from '#layers/audit/audit-log.ts';
import { auditRecordOf } from '#test/helpers/audit.ts';

const record = auditRecordOf();

/** A delivery as CloudWatch Logs makes it (the documented shape, built here by hand). */
function delivery(messageType: string, messages: string[]): CloudWatchLogsEvent {
  const data = {
    messageType,
    owner: '123456789012',
    logGroup: '/aws/lambda/toolgate-tool',
    logStream: '2026/12/03/[$LATEST]abc',
    subscriptionFilters: ['audit-lines'],
    logEvents: messages.map((message, index) => ({ id: String(index), timestamp: 0, message })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}

describe('auditLinesOf', () => {
  it('decodes the audit lines of a delivery and leaves other lines out', () => {
    // Arrange
    const event = delivery('DATA_MESSAGE', [
      auditLine(record, 'id-1').trimEnd(),
      '{"level":"INFO","message":"tool call","tool":"get_customer"}',
      auditLine({ ...record, requestId: 'req-2' }, 'id-2').trimEnd(),
    ]);
    // Act
    const lines = auditLinesOf(event);
    // Assert
    expect(lines.map((line) => [line.auditId, line.record.requestId])).toEqual([
      ['id-1', 'req-1'],
      ['id-2', 'req-2'],
    ]);
  });

  it('finds nothing in a control message', () => {
    expect(auditLinesOf(delivery('CONTROL_MESSAGE', ['CWL CONTROL MESSAGE']))).toEqual([]);
  });
});

describe('ingestAuditLogs', () => {
  it('writes the lines to the table and fails when the table does', async () => {
    // Arrange
    const written: string[] = [];
    const logger = { info: () => undefined };
    const event = delivery('DATA_MESSAGE', [auditLine(record, 'id-1').trimEnd()]);
    // Act
    await ingestAuditLogs(event, {
      table: { putAll: async (lines) => void written.push(...lines.map((l) => l.auditId)) },
      logger,
    });
    const failing = ingestAuditLogs(event, {
      table: {
        putAll: async () => {
          throw new Error('ProvisionedThroughputExceededException');
        },
      },
      logger,
    });
    // Assert
    expect(written).toEqual(['id-1']);
    await expect(failing).rejects.toThrow('ProvisionedThroughputExceededException');
  });
});
