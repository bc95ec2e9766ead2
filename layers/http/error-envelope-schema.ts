/** JSON Schema of the DESIGN.md error envelope, for the OpenAPI document and MCP output schemas. */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'category', 'message', 'retryable'],
      properties: {
        code: { type: 'string', description: 'snake_case error code, e.g. validation_failed.' },
        category: {
          type: 'string',
          description:
            'validation, authentication, authorization, not_found, conflict, rate_limited, upstream, configuration or internal.',
        },
        message: {
          type: 'string',
          description: 'What went wrong and what to do, written for an AI agent.',
        },
        retryable: { type: 'boolean', description: 'Whether the same call may succeed later.' },
        retryAfterMs: { type: 'integer', description: 'When to retry, for retryable errors.' },
        issues: {
          type: 'array',
          description: 'One entry per invalid field.',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};
