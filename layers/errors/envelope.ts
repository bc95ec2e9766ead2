import type { AppError } from './app-error.ts';

/**
 * The DESIGN.md error envelope, the same over every transport: REST answers it as the body, MCP
 * as a tool error's structured content.
 */
export interface ErrorEnvelope {
  error: {
    code: string;
    category: string;
    message: string;
    retryable: boolean;
    retryAfterMs?: number;
    issues?: { path: string; message: string }[];
    approveUrl?: string;
    connectUrl?: string;
  };
}

/**
 * The envelope of an error.
 *
 * @example
 * toEnvelope(new NotFoundError('order_not_found', 'No order SO-1.')).error.code; // 'order_not_found'
 */
export function toEnvelope(error: AppError): ErrorEnvelope {
  return {
    error: {
      code: error.code,
      category: error.category,
      message: error.message,
      retryable: error.retryable,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error.issues ? { issues: error.issues.map((issue) => ({ ...issue })) } : {}),
      ...(error.approveUrl ? { approveUrl: error.approveUrl } : {}),
      ...(error.connectUrl ? { connectUrl: error.connectUrl } : {}),
    },
  };
}

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
        approveUrl: {
          type: 'string',
          description:
            'person_confirmation_required: the console page where a person approves the write; relay it to the user.',
        },
        connectUrl: {
          type: 'string',
          description:
            'connection_required: where the user connects the system, so calls run with their own permissions; relay it to the user.',
        },
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
