import type { AuditRecord } from './audit-repository.ts';

/**
 * One column of the long-term audit archive: its name in the JSON line on S3 (and in the Glue
 * table, where Athena reads names case-insensitively), its Hive type, and where the EventBridge
 * Pipe finds its value in the DynamoDB stream record (the item as `DynamoAuditTable` writes
 * it, typed: `S`, `N`, `L`).
 */
export interface ArchiveColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
  /** The value's JSON path in the stream record. */
  readonly path: string;
  /** Written as a JSON string (the pipe puts quotes around it) or as a value (number, array, object). */
  readonly as: 'string' | 'value';
}

const image = '$.dynamodb.NewImage';
const text = (name: string, comment: string): ArchiveColumn => ({
  name,
  type: 'string',
  comment,
  path: `${image}.${name}.S`,
  as: 'string',
});
const integer = (name: string, comment: string): ArchiveColumn => ({
  name,
  type: 'int',
  comment,
  path: `${image}.${name}.N`,
  as: 'value',
});

/**
 * The archive's columns, one per field of `AuditRecord` and the record's own id (`auditId`: the
 * archive is delivered at least once, so a record may appear twice; the id tells). `upstream`
 * (the business systems' own request ids, `[{system, requestId}]`) is kept as two lists, since
 * the pipe can pick values out of a list but not rebuild its objects.
 */
const columns = {
  auditId: text('auditId', "The record's own id: unique, so duplicates of a delivery can be told"),
  requestId: text('requestId', "The call's request id (X-Request-Id)"),
  at: text('at', 'When the call was made, ISO 8601 UTC'),
  sub: text('sub', "The caller's subject (the person or the agent's client)"),
  roles: {
    name: 'roles',
    type: 'array<string>',
    comment: "The caller's roles",
    path: `${image}.roles.L[*].S`,
    as: 'value',
  },
  clientId: text('clientId', 'The OIDC client the token was issued to (the console: a person)'),
  tool: text('tool', 'The tool, or the route of a call that is not a tool call'),
  input: text('input', 'The input as JSON text, secrets and marked fields redacted'),
  reason: text('reason', 'Why, as the agent said (X-Agent-Reason)'),
  conversationId: text('conversationId', 'The conversation (X-Conversation-Id)'),
  outcome: text('outcome', 'success or error'),
  statusCode: integer('statusCode', 'The HTTP status the caller got'),
  errorCode: text('errorCode', 'The error code the caller got'),
  errorMessage: text('errorMessage', 'The error message the caller got'),
  durationMs: integer('durationMs', 'How long the call took, in ms'),
  upstream: {
    name: 'upstream',
    type: 'struct<systems:array<string>,requestIds:array<string>>',
    comment: "The business systems called and each one's own request id, in order",
    path: `${image}.upstream.L`,
    as: 'value',
  },
} satisfies { [K in keyof AuditRecord | 'auditId' | 'upstream']-?: ArchiveColumn };

export const archiveColumns: readonly ArchiveColumn[] = Object.values(columns);

/** Where the records of one day are, under the archive bucket: `audit/2026/12/02/`. */
export const ARCHIVE_PREFIX = 'audit/';
/** The partition column of the archive table, a date in the archive's path format. */
export const ARCHIVE_DAY_COLUMN = { name: 'day', format: 'yyyy/MM/dd' } as const;

const upstreamList = `${image}.upstream.L[*].M`;

/**
 * The pipe's input template: one JSON object per record, the fields of `archiveColumns`. Strings
 * are quoted and the pipe escapes them; lists and numbers are not (EventBridge Pipes input
 * transformation).
 *
 * @example
 * new CfnPipe(this, 'Pipe', { …, targetParameters: { inputTemplate: archiveInputTemplate() } });
 */
export function archiveInputTemplate(): string {
  const fields = archiveColumns.map((column) => {
    if (column.name === 'upstream')
      return `"upstream": {"systems": <${upstreamList}.system.S>, "requestIds": <${upstreamList}.requestId.S>}`;
    return column.as === 'string'
      ? `"${column.name}": "<${column.path}>"`
      : `"${column.name}": <${column.path}>`;
  });
  return `{${fields.join(', ')}}`;
}
