import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLinesOf } from '#layers/audit/audit-ingest.ts';
import { auditLine } from '#layers/audit/audit-log.ts';
import { type AuditTailer, tailAuditLog } from '#local/audit-tailer.ts';
import { auditRecordOf } from '#test/helpers/audit.ts';
import { eventually } from '#test/helpers/webhooks.ts';

const record = (requestId: string) => auditRecordOf({ requestId });

describe('tailAuditLog', () => {
  let dir: string;
  let file: string;
  let offsetFile: string;
  let tailer: AuditTailer | undefined;
  /** The request ids each invocation of the ingest got, in order. */
  let delivered: string[][];
  let failing: boolean;

  const start = () => {
    tailer = tailAuditLog({
      file,
      offsetFile,
      intervalMs: 5,
      functionName: 'audit-ingest',
      handler: async () => async (event: unknown) => {
        if (failing) throw new Error('table unavailable');
        delivered.push(
          auditLinesOf(event as CloudWatchLogsEvent).map((line) => line.record.requestId),
        );
        return undefined;
      },
    });
    return tailer;
  };
  const write = (text: string) => appendFileSync(file, text);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-tailer-'));
    file = join(dir, 'gateway.log');
    offsetFile = join(dir, 'offsets.json');
    delivered = [];
    failing = false;
  });
  afterEach(async () => {
    await tailer?.stop();
    tailer = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the complete lines as a subscription batch and saves the offset after them', async () => {
    // Arrange
    const running = start();
    const whole = auditLine(record('r1'), 'id-1');
    const cut = auditLine(record('r2'), 'id-2');
    // Act: one whole line, and one still being written
    write(whole + cut.slice(0, 20));
    await eventually('the whole line', async () => (delivered.length > 0 ? true : undefined));
    const beforeItsEnd = delivered.flat();
    write(cut.slice(20));
    await running.delivered();
    // Assert
    expect(beforeItsEnd).toEqual(['r1']);
    expect(delivered.flat()).toEqual(['r1', 'r2']);
    expect(JSON.parse(readFileSync(offsetFile, 'utf8'))).toEqual({
      offset: Buffer.byteLength(whole + cut),
    });
  });

  it('keeps its offset while the ingest fails, and delivers once it works again', async () => {
    // Arrange
    failing = true;
    const running = start();
    write(auditLine(record('r1'), 'id-1'));
    // Act
    const whileFailing = await running.delivered(200).then(
      () => 'delivered',
      (error: Error) => error.message,
    );
    failing = false;
    await running.delivered();
    // Assert
    expect(whileFailing).toContain('not delivered within 200 ms');
    expect(delivered.flat()).toEqual(['r1']);
  });

  it('starts again from its saved offset: no line lost, none delivered twice', async () => {
    // Arrange: r1 delivered by a first tailer, r2 written while none runs
    await start().delivered();
    write(auditLine(record('r1'), 'id-1'));
    await tailer?.delivered();
    await tailer?.stop();
    write(auditLine(record('r2'), 'id-2'));
    // Act
    await start().delivered();
    // Assert
    expect(delivered.flat()).toEqual(['r1', 'r2']);
  });
});
