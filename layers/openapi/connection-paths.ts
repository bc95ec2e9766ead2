import { errors, json } from './responses.ts';

const systemParameter = {
  name: 'system',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'A system called on behalf of users, e.g. crm.',
};

const connection = {
  type: 'object',
  required: ['system', 'displayName', 'status', 'connectUrl'],
  properties: {
    system: { type: 'string' },
    displayName: { type: 'string' },
    status: {
      type: 'string',
      enum: ['connected', 'broken', 'not_connected'],
      description: 'broken: the system refused the stored connection at refresh; connect again.',
    },
    connectedAt: { type: 'string', format: 'date-time' },
    refreshedAt: { type: 'string', format: 'date-time' },
    connectUrl: {
      type: 'string',
      format: 'uri',
      description: 'The console page where the user connects (or reconnects) this system.',
    },
  },
};

/**
 * The paths of per-user credentials: a user's connections to the systems called on their behalf.
 * The callback the systems send the browser back to is a page for people, like the console's, and
 * is not described here.
 *
 * @example
 * const paths = { ...servicePaths(), ...connectionPaths() };
 */
export function connectionPaths(): Record<string, unknown> {
  return {
    '/connections': {
      get: {
        operationId: 'listConnections',
        summary: "The caller's connection to each system called on their behalf (no tokens)",
        tags: ['connections'],
        responses: {
          200: json(
            {
              type: 'object',
              required: ['connections'],
              properties: { connections: { type: 'array', items: connection } },
            },
            'One entry per system called on behalf of users',
          ),
          ...errors(401),
        },
      },
    },
    '/connections/{system}': {
      post: {
        operationId: 'startConnection',
        summary:
          'Start connecting a system (OAuth 2.0 authorization code with PKCE): open authorizeUrl in a browser',
        tags: ['connections'],
        parameters: [systemParameter],
        responses: {
          201: json(
            {
              type: 'object',
              required: ['authorizeUrl', 'expiresAt'],
              properties: {
                authorizeUrl: { type: 'string', format: 'uri' },
                expiresAt: { type: 'string', format: 'date-time' },
              },
            },
            "The system's consent page, valid until expiresAt, once",
          ),
          ...errors(401, 404),
        },
      },
      delete: {
        operationId: 'revokeConnection',
        summary: "Revoke a connection at the system and forget it (admin: another user's, ?sub=)",
        tags: ['connections'],
        parameters: [
          systemParameter,
          {
            name: 'sub',
            in: 'query',
            required: false,
            schema: { type: 'string' },
            description: 'Role admin: whose connection.',
          },
        ],
        responses: { 204: { description: 'Revoked' }, ...errors(400, 401, 403, 404) },
      },
    },
  };
}
