import { errorSchema } from '../errors/envelope.ts';
import { confirmationOutput } from '../mcp/meta-tools.ts';
import { type AnyTool, isWriteTool } from '../tools/define.ts';
import { describeTool, jsonSchemaOf } from '../tools/descriptor.ts';
import { connectionPaths } from './connection-paths.ts';
import { historyPaths, operationItemSchema } from './history-paths.ts';
import { errors, json } from './responses.ts';
import { servicePaths } from './service-paths.ts';
import { watchPaths } from './watch-paths.ts';

const metaSchema = {
  type: 'object',
  required: ['requestId', 'durationMs', 'degraded', 'cache'],
  properties: {
    requestId: { type: 'string' },
    durationMs: { type: 'integer' },
    degraded: {
      type: 'array',
      items: {
        type: 'object',
        properties: { system: { type: 'string' }, reason: { type: 'string' } },
      },
    },
    cache: { type: 'string', enum: ['hit', 'miss', 'none'] },
    withheld: {
      type: 'array',
      description:
        "What the caller does not see: a composite tool's parts their roles do not grant (`part`, null in data), and model fields the policy withholds or masks for their roles (`path`, `field`). The data schemas here are complete; GET /tools/{name} shows the caller's own.",
      items: {
        type: 'object',
        required: ['reason'],
        properties: {
          part: { type: 'string' },
          path: { type: 'string', description: 'e.g. customer.contacts[].phone' },
          field: { type: 'string', description: 'e.g. contact.phone' },
          reason: { type: 'string', enum: ['forbidden', 'withheld', 'masked'] },
        },
      },
    },
  },
};

const operationSchema = {
  type: 'object',
  required: ['operation'],
  properties: {
    operation: {
      ...operationItemSchema,
      required: [...operationItemSchema.required, 'confirmationId'],
      properties: {
        ...operationItemSchema.properties,
        confirmationId: { type: 'string', description: 'The confirmation it was made from.' },
      },
    },
  },
};

const mcpMethodNotAllowed = json(
  { type: 'object', description: 'A JSON-RPC 2.0 error' },
  'Method not allowed; POST only (Allow: POST)',
);

/**
 * The OpenAPI 3.1 document of the whole HTTP API, every tool's request and answer generated from
 * the same zod schemas as the registry and the MCP endpoint.
 *
 * @example
 * const doc = openApiDocument(tools, 'https://api.example.com');
 */
/** A confirmation as GET /confirmations/{id} answers it (DESIGN.md). */
const confirmationDetailSchema = {
  type: 'object',
  required: [
    'id',
    'tool',
    'status',
    'summary',
    'preview',
    'proposedBy',
    'expiresAt',
    'approveUrl',
    'confirmBy',
    'confirmAt',
  ],
  properties: {
    id: { type: 'string' },
    tool: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'confirmed', 'cancelled', 'expired'] },
    summary: { type: 'string', description: 'Untrusted text written from the agent’s input.' },
    preview: { type: 'object', description: 'Before/after of what changes.' },
    proposedBy: { type: 'string' },
    reason: { type: 'string', description: 'X-Agent-Reason of the proposal (untrusted text).' },
    conversationId: { type: 'string' },
    expiresAt: { type: 'string', format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    approveUrl: { type: 'string', description: 'The console page of the confirmation.' },
    confirmBy: { type: 'string', enum: ['self', 'approver'] },
    confirmAt: { type: 'string', enum: ['conversation', 'person'] },
    operationId: { type: 'string' },
    confirmedBy: { type: 'string' },
    cancelledBy: { type: 'string' },
    cancelReason: { type: 'string' },
  },
};

export function openApiDocument(
  tools: readonly AnyTool[],
  serverUrl: string,
): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    '/health': {
      get: {
        operationId: 'health',
        summary: 'Liveness',
        security: [],
        responses: {
          200: json(
            { type: 'object', properties: { status: { const: 'ok' } } },
            'The gateway answers',
          ),
        },
      },
    },
    '/tools': {
      get: {
        operationId: 'listTools',
        summary: 'The tools the caller may use',
        responses: {
          200: json(
            {
              type: 'object',
              properties: {
                tools: { type: 'array', items: { $ref: '#/components/schemas/ToolDescriptor' } },
              },
            },
            'Tool descriptors',
          ),
          ...errors(401),
        },
      },
    },
    '/tools/{name}': {
      get: {
        operationId: 'describeTool',
        summary: "A tool's descriptor",
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: json({ $ref: '#/components/schemas/ToolDescriptor' }, 'The descriptor'),
          ...errors(401, 403, 404),
        },
      },
    },
    '/confirmations': {
      get: {
        operationId: 'listPendingConfirmations',
        summary:
          "What waits for the caller's decision: their own writes a person confirms and, for approvers, others' four-eyes writes",
        parameters: [
          {
            name: 'status',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['pending'], default: 'pending' },
          },
        ],
        responses: {
          200: json(
            {
              type: 'object',
              properties: {
                confirmations: {
                  type: 'array',
                  items: { $ref: '#/components/schemas/Confirmation' },
                },
              },
            },
            'Pending confirmations, newest first',
          ),
          ...errors(400, 401),
        },
      },
    },
    '/confirmations/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        operationId: 'getConfirmation',
        summary: 'A proposed write, for its proposer and approvers',
        responses: {
          200: json(
            {
              type: 'object',
              properties: { confirmation: { $ref: '#/components/schemas/Confirmation' } },
            },
            'The confirmation',
          ),
          ...errors(401, 404),
        },
      },
      post: {
        operationId: 'confirmWrite',
        summary: 'Confirm a proposed write; confirming again returns the same operation',
        responses: {
          202: json(
            {
              type: 'object',
              properties: {
                operation: {
                  type: 'object',
                  properties: { id: { type: 'string' }, status: { type: 'string' } },
                },
              },
            },
            'Queued',
          ),
          ...errors(401, 403, 404, 409, 410),
        },
      },
      delete: {
        operationId: 'cancelWrite',
        summary: 'Cancel (withdraw or reject) a proposed write, with an optional reason',
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  reason: {
                    type: 'string',
                    minLength: 1,
                    maxLength: 500,
                    description: 'Why; kept in the audit trail.',
                  },
                },
              },
            },
          },
        },
        responses: { 204: { description: 'Cancelled' }, ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/operations/{id}': {
      get: {
        operationId: 'getOperation',
        summary: 'Status and steps of a confirmed write (its owner, approvers and admins)',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: json(operationSchema, 'The operation'), ...errors(401, 403, 404) },
      },
    },
    '/mcp': {
      post: {
        operationId: 'mcp',
        summary: 'Model Context Protocol, Streamable HTTP (stateless, JSON responses)',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', description: 'A JSON-RPC 2.0 message' },
            },
          },
        },
        responses: {
          200: json({ type: 'object' }, 'JSON-RPC response'),
          202: { description: 'Notification accepted' },
          ...errors(401),
        },
      },
      get: {
        operationId: 'mcpStream',
        summary: 'Not offered: the server is stateless and opens no SSE stream',
        responses: { 405: mcpMethodNotAllowed },
      },
      delete: {
        operationId: 'mcpEndSession',
        summary: 'Not offered: the server keeps no sessions',
        responses: { 405: mcpMethodNotAllowed },
      },
    },
    ...historyPaths(),
    ...servicePaths(),
    ...connectionPaths(),
    ...watchPaths(),
  };
  for (const tool of tools) {
    const descriptor = describeTool(tool);
    const answer = isWriteTool(tool)
      ? {
          202: json(
            jsonSchemaOf(confirmationOutput, 'output'),
            'Proposed: nothing is written until confirmed',
          ),
        }
      : {
          200: json(
            {
              type: 'object',
              required: ['data', 'meta'],
              properties: {
                data: descriptor.outputSchema,
                meta: { $ref: '#/components/schemas/Meta' },
              },
            },
            'The data',
          ),
        };
    paths[`/tools/${tool.name}`] = {
      post: {
        operationId: tool.name,
        summary: tool.title,
        description: tool.description,
        tags: [tool.risk === 'write' ? 'write tools' : 'read tools'],
        parameters: [
          {
            name: 'X-Agent-Reason',
            in: 'header',
            required: false,
            schema: { type: 'string', maxLength: 500 },
            description: 'Why the agent calls this; kept in the audit trail.',
          },
          ...(isWriteTool(tool)
            ? [
                {
                  name: 'Idempotency-Key',
                  in: 'header',
                  required: false,
                  schema: { type: 'string' },
                  description: 'Same key and input: the same confirmation.',
                },
              ]
            : []),
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: descriptor.inputSchema } },
        },
        responses: { ...answer, ...errors(400, 401, 403, 404, 409, 413, 415, 502, 503, 504) },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Toolgate',
      version: '0.1.0',
      description:
        'Tools for AI agents over your business systems: reads answer at once; writes are proposed, confirmed, then run as sagas.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: errorSchema,
        Meta: metaSchema,
        Confirmation: confirmationDetailSchema,
        ToolDescriptor: {
          type: 'object',
          required: ['name', 'description', 'inputSchema', 'risk', 'systems'],
          properties: {
            name: { type: 'string' },
            title: { type: 'string' },
            description: { type: 'string' },
            inputSchema: { type: 'object' },
            outputSchema: { type: 'object' },
            risk: { type: 'string', enum: ['read', 'write'] },
            systems: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  };
}
