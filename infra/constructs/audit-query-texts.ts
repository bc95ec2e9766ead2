/** A saved Athena query over the audit archive: `?` marks the values the console asks for. */
export interface AuditQuery {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/** Days are `yyyy/MM/dd` strings, so a range of days compares as text and prunes partitions. */
const dayRange = "day BETWEEN ? AND ? -- first and last day, e.g. '2026/01/01' and '2026/12/31'";
const columns =
  'at, sub, clientid, tool, outcome, statuscode, errorcode, reason, conversationid, requestid, upstream, input';

/**
 * The saved queries auditors start from. A write confirmed by a person is the audit record of the
 * confirmation call: `POST /confirmations/{id}` (input `{"confirmationId","decision":"confirm"}`)
 * or the MCP tool `confirm_operation` (input `{"confirmationId"}`), ended in success.
 *
 * @example
 * auditQueries('records').map((query) => query.name); // ['everything-user-did', …]
 */
export function auditQueries(table: string): readonly AuditQuery[] {
  return [
    {
      name: 'everything-user-did',
      description: 'Everything user X did: every call by one subject, in order',
      sql: `SELECT ${columns}
FROM ${table}
WHERE sub = ? -- the user's subject
  AND ${dayRange}
ORDER BY at`,
    },
    {
      name: 'every-call-about-customer',
      description: "Every call about customer C: every call whose input names the customer's id",
      sql: `SELECT ${columns}
FROM ${table}
WHERE strpos(input, ?) > 0 -- the customer id, e.g. 'C-00001'
  AND ${dayRange}
ORDER BY at`,
    },
    {
      name: 'every-write-confirmed-by-person',
      description:
        'Every write confirmed by person P: successful confirmations (REST or MCP) by one subject, with the confirmation id',
      sql: `SELECT at, sub, clientid, tool,
  json_extract_scalar(input, '$.confirmationId') AS confirmationid,
  conversationid, requestid, upstream
FROM ${table}
WHERE sub = ? -- the person's subject
  AND outcome = 'success'
  AND (tool = 'confirm_operation'
    OR (tool = 'POST /confirmations/{id}' AND json_extract_scalar(input, '$.decision') = 'confirm'))
  AND ${dayRange}
ORDER BY at`,
    },
  ];
}
