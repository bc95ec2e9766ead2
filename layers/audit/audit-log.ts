import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { newAuditId } from './audit-id.ts';
import type { AuditRecord } from './audit-repository.ts';

/**
 * The field that tells an audit line from every other log line: the CloudWatch Logs subscription
 * filter matches it (`{ $.audit IS TRUE }`) and the ingest keeps only lines that carry it.
 */
export const AUDIT_MARKER = 'audit';

/** The subscription filter pattern of the audit lines (infra and the ingest agree on it). */
export const AUDIT_FILTER_PATTERN = `{ $.${AUDIT_MARKER} IS TRUE }`;

/**
 * The largest input a line carries as is (bytes of its JSON): a larger one is recorded as
 * `{"omitted": true, "bytes": n}`, so a line stays well under CloudWatch Logs' event size (256 KB)
 * and DynamoDB's item size (400 KB) whatever a caller sends.
 */
export const MAX_AUDIT_INPUT_BYTES = 32_768;

/** One audit line as the ingest reads it back: the record and the id it was made with. */
export interface AuditLine {
  readonly auditId: string;
  readonly record: AuditRecord;
}

/**
 * Where a call's audit line goes, synchronously: `write` returns once the line is with the
 * platform (stdout on Lambda, the file locally) and throws when it could not be written.
 */
export interface AuditLog {
  write(record: AuditRecord): void;
}

/**
 * The record as one JSON line: `"level": "INFO"` (Lambda's log-level filter keeps it), the marker,
 * the id made here (a redelivered line overwrites its own item), the record with `at` as ISO text.
 *
 * @example
 * auditLine(record, newAuditId(record.at)); // '{"level":"INFO","audit":true,"message":"audit record","auditId":"…",…}\n'
 */
export function auditLine(record: AuditRecord, auditId: string): string {
  const line = (input: unknown) =>
    `${JSON.stringify({
      level: 'INFO',
      [AUDIT_MARKER]: true,
      message: 'audit record',
      auditId,
      ...record,
      at: record.at.toISOString(),
      ...(input === undefined ? {} : { input }),
    })}\n`;
  const text = line(record.input);
  // A line within the bound holds an input within it (a UTF-16 unit is at most 3 bytes of UTF-8):
  // the input is measured on its own only for a line that may pass it.
  if (record.input === undefined || text.length * 3 <= MAX_AUDIT_INPUT_BYTES) return text;
  const bytes = Buffer.byteLength(JSON.stringify(record.input) ?? '');
  return bytes > MAX_AUDIT_INPUT_BYTES ? line({ omitted: true, bytes }) : text;
}

/**
 * Reads one log line back as an audit line; anything else (another log line, a line cut short,
 * a line without the marker) is `undefined`.
 *
 * @example
 * parseAuditLine('{"level":"INFO","audit":true,…}'); // { auditId, record }
 */
export function parseAuditLine(text: string): AuditLine | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const line = parsed as Record<string, unknown>;
  const { auditId, at } = line;
  if (line[AUDIT_MARKER] !== true || typeof auditId !== 'string' || typeof at !== 'string')
    return undefined;
  if (typeof line.sub !== 'string' || typeof line.tool !== 'string') return undefined;
  const when = new Date(at);
  if (Number.isNaN(when.getTime())) return undefined;
  // The record's own fields only: whatever else a line carries does not reach the table.
  const record = Object.fromEntries(
    recordFields.filter((field) => line[field] !== undefined).map((field) => [field, line[field]]),
  );
  return { auditId, record: { ...(record as unknown as AuditRecord), at: when } };
}

const recordFields = [
  'requestId',
  'sub',
  'roles',
  'clientId',
  'tool',
  'input',
  'reason',
  'conversationId',
  'outcome',
  'statusCode',
  'errorCode',
  'errorMessage',
  'durationMs',
  'upstream',
] as const satisfies readonly Exclude<keyof AuditRecord, 'at'>[];

/**
 * The audit log of a Lambda function: one line on stdout per call, which the Lambda runtime
 * hands to CloudWatch Logs even when the instance is frozen right after answering. Writes to a
 * pipe are synchronous on Linux, so the line is out of the process before the answer is.
 */
export function stdoutAuditLog(ids: (at: Date) => string = newAuditId): AuditLog {
  return {
    write(record) {
      // A closed stdout would drop the line with an 'error' event after the answer: refuse now.
      if (!process.stdout.writable) throw new Error('stdout is closed: the audit line is lost');
      process.stdout.write(auditLine(record, ids(record.at)));
    },
  };
}

/**
 * The audit log of local mode: one line appended per call to `file` (AUDIT_LOG_FILE), with the
 * same synchronous append, so the line is on disk before the answer leaves. The tailer
 * (local/audit-tailer.ts) delivers it to the audit table as the subscription does on AWS.
 *
 * @example
 * const log = fileAuditLog('.toolgate/audit-log/gateway.log');
 */
export function fileAuditLog(file: string, ids: (at: Date) => string = newAuditId): AuditLog {
  let made = false;
  return {
    write(record) {
      if (!made) {
        mkdirSync(dirname(file), { recursive: true });
        made = true;
      }
      appendFileSync(file, auditLine(record, ids(record.at)));
    },
  };
}
