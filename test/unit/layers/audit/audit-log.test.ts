import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  auditLine,
  fileAuditLog,
  MAX_AUDIT_INPUT_BYTES,
  parseAuditLine,
  stdoutAuditLog,
} from '#layers/audit/audit-log.ts';
import { auditRecordOf } from '#test/helpers/audit.ts';

const record = auditRecordOf({
  input: { customerId: 'C-00001' },
  upstream: [{ system: 'crm', requestId: 'crm-1', status: 200 }],
});

describe('auditLine', () => {
  it('writes one JSON line at level INFO with the marker, the id and the record', () => {
    // Act
    const text = auditLine(record, 'id-1');
    // Assert
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd()).not.toContain('\n');
    expect(JSON.parse(text)).toMatchObject({
      level: 'INFO',
      audit: true,
      auditId: 'id-1',
      sub: 'ana',
      at: '2026-12-03T07:00:00.000Z',
      input: { customerId: 'C-00001' },
    });
  });

  it('records an oversized input as omitted with its size', () => {
    // Arrange
    const input = { note: 'x'.repeat(MAX_AUDIT_INPUT_BYTES) };
    // Act
    const text = auditLine({ ...record, input }, 'id-1');
    // Assert
    expect(JSON.parse(text).input).toEqual({
      omitted: true,
      bytes: Buffer.byteLength(JSON.stringify(input)),
    });
    expect(Buffer.byteLength(text)).toBeLessThan(4_096);
  });
});

describe('parseAuditLine', () => {
  it('reads back the record and its id', () => {
    expect(parseAuditLine(auditLine(record, 'id-1'))).toEqual({ auditId: 'id-1', record });
  });

  it('answers undefined for other log lines and lines cut short', () => {
    const line = auditLine(record, 'id-1');
    expect(parseAuditLine('{"level":"INFO","message":"call","sub":"ana","tool":"t"}')).toBe(
      undefined,
    );
    expect(parseAuditLine(line.slice(0, 40))).toBeUndefined();
    expect(parseAuditLine(line.replace('"audit":true', '"audit":"yes"'))).toBeUndefined();
  });

  it('keeps only the record’s own fields', () => {
    const line = JSON.stringify({ ...JSON.parse(auditLine(record, 'id-1')), pk: 'CALLER#eve' });
    expect(parseAuditLine(line)?.record).not.toHaveProperty('pk');
  });
});

describe('fileAuditLog', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('appends one line per record, each with an id of its own, making the directory', async () => {
    // Arrange
    dir = await mkdtemp(join(tmpdir(), 'audit-log-'));
    const file = join(dir, 'audit-log', 'gateway.log');
    const log = fileAuditLog(file);
    // Act
    log.write(record);
    log.write(record);
    // Assert
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').map(parseAuditLine);
    expect(lines).toHaveLength(2);
    expect(new Set(lines.map((line) => line?.auditId)).size).toBe(2);
  });

  it('throws when the line cannot be appended', async () => {
    // Arrange: a plain file where the log's directory should be
    dir = await mkdtemp(join(tmpdir(), 'audit-log-'));
    await writeFile(join(dir, 'audit-log'), '');
    const log = fileAuditLog(join(dir, 'audit-log', 'gateway.log'));
    // Act, Assert
    expect(() => log.write(record)).toThrow();
  });
});

describe('stdoutAuditLog', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one line per record to stdout, synchronously', () => {
    // Arrange
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    // Act
    stdoutAuditLog(() => 'id-1').write(record);
    // Assert
    expect(written).toEqual([auditLine(record, 'id-1')]);
  });
});
