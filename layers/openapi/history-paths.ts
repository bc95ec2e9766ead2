import { errors, json } from './responses.ts';

const query = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});

/** The parameters every list shares (limit, cursor, time range). */
const listParameters = [
  query('from', 'Oldest time included (ISO-8601 date or date-time).', {
    type: 'string',
    format: 'date-time',
  }),
  query('to', 'Newest time included (ISO-8601 date or date-time); not before from.', {
    type: 'string',
    format: 'date-time',
  }),
  query(
    'cursor',
    "The previous answer's cursor, unchanged, with the same filters (400 invalid_cursor otherwise).",
  ),
  query('limit', 'Items per page.', { type: 'integer', minimum: 1, maximum: 100, default: 25 }),
];

const stepSchema = {
  type: 'object',
  required: ['name', 'status', 'attempts'],
  properties: {
    name: { type: 'string' },
    status: { type: 'string' },
    attempts: { type: 'integer' },
    compensationAttempts: { type: 'integer' },
  },
};

const operationStatus = {
  type: 'string',
  enum: ['queued', 'running', 'succeeded', 'rolled_back', 'failed'],
};

/** An operation as GET /operations lists it and GET /operations/{id} answers it. */
export const operationItemSchema = {
  type: 'object',
  required: ['id', 'tool', 'status', 'owner', 'confirmedBy', 'createdAt', 'updatedAt', 'steps'],
  properties: {
    id: { type: 'string' },
    tool: { type: 'string' },
    status: operationStatus,
    owner: { type: 'string', description: 'Who proposed the write.' },
    confirmedBy: { type: 'string', description: 'Who confirmed it.' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    steps: { type: 'array', items: stepSchema },
    result: {},
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
};

const auditRecordSchema = {
  type: 'object',
  required: [
    'auditId',
    'requestId',
    'at',
    'sub',
    'roles',
    'tool',
    'outcome',
    'statusCode',
    'durationMs',
  ],
  properties: {
    auditId: { type: 'string' },
    requestId: { type: 'string', description: "The call's X-Request-Id (not unique)." },
    at: { type: 'string', format: 'date-time' },
    sub: { type: 'string', description: "The caller's subject, or anonymous." },
    roles: { type: 'array', items: { type: 'string' } },
    clientId: { type: 'string', description: 'The OIDC client the token was issued to.' },
    tool: { type: 'string', description: 'The tool asked for, or the route.' },
    input: { description: 'The input, redacted.' },
    reason: { type: 'string', description: 'X-Agent-Reason.' },
    conversationId: { type: 'string', description: 'X-Conversation-Id.' },
    outcome: { type: 'string', enum: ['success', 'error'] },
    statusCode: { type: 'integer' },
    errorCode: { type: 'string' },
    errorMessage: { type: 'string' },
    durationMs: { type: 'integer' },
    upstream: {
      type: 'array',
      description: "The calls the tool made to business systems, with the systems' request ids.",
      items: {
        type: 'object',
        required: ['system'],
        properties: {
          system: { type: 'string' },
          requestId: { type: 'string' },
          status: { type: 'integer' },
        },
      },
    },
  },
};

const cursorSchema = {
  type: 'string',
  description: 'Pass it as cursor for the next page; absent when nothing is left.',
};

/**
 * The paths of what happened: confirmed writes (GET /operations) and the audit trail (GET /audit).
 *
 * @example
 * const paths = { ...toolPaths, ...historyPaths() };
 */
export function historyPaths(): Record<string, unknown> {
  return {
    '/operations': {
      get: {
        operationId: 'listOperations',
        summary:
          'Confirmed writes, newest first: approvers and admins see everyone’s, others their own',
        parameters: [
          query('status', 'Only operations in this status.', operationStatus),
          query('tool', 'Only operations of this write tool.'),
          query('owner', 'Only operations proposed by this user (others: approver or admin).'),
          ...listParameters,
        ],
        responses: {
          200: json(
            {
              type: 'object',
              required: ['operations'],
              properties: {
                operations: { type: 'array', items: operationItemSchema },
                cursor: cursorSchema,
              },
            },
            'A page of operations',
          ),
          ...errors(400, 401, 403),
        },
      },
    },
    '/audit': {
      get: {
        operationId: 'searchAudit',
        summary:
          'Audit records, newest first (a conversation oldest first): auditors read everyone’s, others their own',
        parameters: [
          query('sub', "Only this caller's records (another caller's: role auditor)."),
          query('tool', 'Only calls of this tool (or route).'),
          query('outcome', 'Only successes or only errors.', {
            type: 'string',
            enum: ['success', 'error'],
          }),
          query('conversationId', 'Only calls of this conversation (X-Conversation-Id).'),
          query('requestId', 'Only calls with this request id (X-Request-Id).'),
          query('order', 'asc (the default with conversationId) or desc (otherwise).', {
            type: 'string',
            enum: ['asc', 'desc'],
          }),
          ...listParameters,
        ],
        responses: {
          200: json(
            {
              type: 'object',
              required: ['records'],
              properties: {
                records: { type: 'array', items: auditRecordSchema },
                cursor: cursorSchema,
              },
            },
            'A page of audit records',
          ),
          ...errors(400, 401, 403),
        },
      },
    },
    '/audit/{auditId}': {
      get: {
        operationId: 'getAuditRecord',
        summary: 'One audit record (an auditor any, others their own)',
        parameters: [{ name: 'auditId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: json(
            { type: 'object', required: ['record'], properties: { record: auditRecordSchema } },
            'The record',
          ),
          ...errors(401, 404),
        },
      },
    },
  };
}
