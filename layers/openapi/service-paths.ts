import { webhookSources } from '../webhooks/sources.ts';
import { errors, json } from './responses.ts';

const pathParameter = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'path',
  required: true,
  schema,
  description,
});

const killSwitch = {
  type: 'object',
  required: ['kind', 'name', 'enabled', 'reason', 'by', 'at'],
  properties: {
    kind: { type: 'string', enum: ['system', 'tool'] },
    name: { type: 'string', description: 'The system id or the tool name.' },
    enabled: { type: 'boolean' },
    reason: { type: 'string', description: 'Why; shown to agents while it is off.' },
    by: { type: 'string', description: 'Who changed it (the token subject).' },
    at: { type: 'string', format: 'date-time', description: 'When it was changed.' },
  },
};

const webhookAnswer = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['accepted', 'duplicate'] },
    events: { type: 'array', items: { type: 'string' }, description: 'The event ids.' },
    duplicates: { type: 'integer', description: 'Events already received before.' },
  },
};

/**
 * The paths besides tools, confirmations, operations and MCP: the administrators' switches and
 * cache, the vendors' webhooks, and the documents served without a token.
 *
 * @example
 * const paths = { ...toolPaths, ...servicePaths() };
 */
export function servicePaths(): Record<string, unknown> {
  return {
    '/openapi.json': {
      get: {
        operationId: 'openApiDocument',
        summary: 'This OpenAPI 3.1 document',
        security: [],
        responses: { 200: json({ type: 'object' }, 'The document') },
      },
    },
    '/.well-known/oauth-protected-resource': {
      get: {
        operationId: 'protectedResourceMetadata',
        summary: 'RFC 9728 metadata: the authorization server that issues tokens for this gateway',
        security: [],
        responses: {
          200: json(
            {
              type: 'object',
              required: ['resource', 'authorization_servers'],
              properties: {
                resource: { type: 'string', format: 'uri' },
                authorization_servers: { type: 'array', items: { type: 'string', format: 'uri' } },
                bearer_methods_supported: { type: 'array', items: { type: 'string' } },
                resource_name: { type: 'string' },
                resource_documentation: { type: 'string', format: 'uri' },
              },
            },
            'The metadata',
          ),
        },
      },
    },
    '/admin/switches': {
      get: {
        operationId: 'listSwitches',
        summary: 'Kill switches of systems and tools (role admin)',
        tags: ['admin'],
        responses: {
          200: json(
            { type: 'object', properties: { switches: { type: 'array', items: killSwitch } } },
            'Every switch changed so far',
          ),
          ...errors(401, 403),
        },
      },
    },
    '/admin/switches/{kind}/{name}': {
      put: {
        operationId: 'setSwitch',
        summary: 'Switch a system or a tool off or on, for every instance within seconds (audited)',
        tags: ['admin'],
        parameters: [
          pathParameter('kind', 'What to switch.', { type: 'string', enum: ['system', 'tool'] }),
          pathParameter('name', 'The system id or the tool name.'),
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['enabled'],
                additionalProperties: false,
                properties: {
                  enabled: { type: 'boolean', description: 'false switches it off, true back on.' },
                  reason: {
                    type: 'string',
                    maxLength: 300,
                    description: 'Why (3+ characters when switching off); shown to agents.',
                  },
                },
              },
            },
          },
        },
        responses: {
          200: json({ type: 'object', properties: { switch: killSwitch } }, 'The switch'),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    '/admin/cache/{tool}/invalidate': {
      post: {
        operationId: 'invalidateCache',
        summary: 'Make every cached answer of a tool a miss, on every instance (role admin)',
        tags: ['admin'],
        parameters: [pathParameter('tool', 'A tool that declares a cache.')],
        responses: {
          200: json(
            {
              type: 'object',
              properties: {
                invalidated: { type: 'string' },
                generation: { type: 'integer', description: "The tool's new cache generation." },
              },
            },
            'Invalidated',
          ),
          ...errors(401, 403, 404),
        },
      },
    },
    '/webhooks/{source}': {
      post: {
        operationId: 'receiveWebhook',
        summary: "A vendor's webhook delivery, verified by its signature (no bearer token)",
        tags: ['webhooks'],
        security: [],
        parameters: [
          pathParameter('source', 'The sending system; each has its own signature scheme.', {
            type: 'string',
            enum: webhookSources.map((source) => source.id),
          }),
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        responses: {
          202: json(webhookAnswer, 'Accepted: the new events are queued'),
          200: json(
            { type: 'object' },
            'Every event was received before (status duplicate), or a vendor handshake',
          ),
          ...errors(400, 401, 404, 413, 503),
        },
      },
    },
  };
}
