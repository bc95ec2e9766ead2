import { webhookSources } from '../webhooks/sources.ts';
import { errors, json } from './responses.ts';

const query = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});

const integer = { type: 'integer', minimum: 0 };
const milliseconds = {
  type: 'integer',
  minimum: 0,
  description: 'Latency in ms, as the bound of its histogram bucket.',
};

const switchState = {
  type: 'object',
  required: ['enabled'],
  properties: {
    enabled: { type: 'boolean' },
    reason: { type: 'string' },
    changedBy: { type: 'string', description: 'Who switched it last (the token subject).' },
    changedAt: { type: 'string', format: 'date-time' },
  },
};

const systemView = {
  type: 'object',
  required: ['id', 'name', 'breaker', 'switch', 'minutes', 'totals', 'tools'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    breaker: {
      type: 'object',
      required: ['state'],
      properties: {
        state: {
          type: 'string',
          enum: ['closed', 'open', 'half_open'],
          description: 'half_open: the cool-down is over and the next call is a probe.',
        },
        openedAt: { type: 'string', format: 'date-time' },
        retryAt: { type: 'string', format: 'date-time', description: 'When the cool-down ends.' },
      },
    },
    switch: switchState,
    budget: {
      type: 'object',
      description: 'Only for systems with an outbound rate budget.',
      required: ['limitPerSecond', 'inUse'],
      properties: {
        limitPerSecond: { type: 'number' },
        inUse: {
          type: 'number',
          description:
            'Calls per second taken from the budget in its current window, by every instance.',
        },
      },
    },
    minutes: {
      type: 'array',
      description:
        'The last 15 minutes, oldest first, the current one last; minutes without calls are zeros.',
      items: {
        type: 'object',
        required: ['at', 'calls', 'errors', 'p50Ms', 'p95Ms'],
        properties: {
          at: { type: 'string', format: 'date-time', description: 'The start of the minute.' },
          calls: integer,
          errors: integer,
          p50Ms: milliseconds,
          p95Ms: milliseconds,
        },
      },
    },
    totals: {
      type: 'object',
      required: ['calls', 'errors', 'errorRate', 'p50Ms', 'p95Ms'],
      properties: {
        calls: integer,
        errors: integer,
        errorRate: { type: 'number', minimum: 0, maximum: 1 },
        p50Ms: milliseconds,
        p95Ms: milliseconds,
      },
    },
    tools: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'risk', 'switch', 'cached'],
        properties: {
          name: { type: 'string' },
          risk: { type: 'string', enum: ['read', 'write'] },
          switch: switchState,
          cached: { type: 'boolean', description: 'POST /admin/cache/{tool}/invalidate applies.' },
        },
      },
    },
  },
};

const outcomes = ['accepted', 'duplicate', 'refused'];

const eventView = {
  type: 'object',
  required: ['id', 'source', 'receivedAt', 'outcome'],
  properties: {
    id: { type: 'string', description: "`<source>:<sender's id>`; a refused delivery's own id." },
    source: { type: 'string' },
    type: { type: 'string', description: "The sender's event type (not for refusals)." },
    receivedAt: { type: 'string', format: 'date-time' },
    outcome: { type: 'string', enum: outcomes },
    reason: {
      type: 'string',
      description:
        'Why it was refused: signature_mismatch, stale_timestamp, missing_header, … or an error code.',
    },
  },
};

const sourceView = {
  type: 'object',
  required: ['source', 'received24h', 'duplicates24h', 'refused24h', 'quiet'],
  properties: {
    source: { type: 'string', enum: webhookSources.map((source) => source.id) },
    received24h: { ...integer, description: 'New events accepted in the last 24 hours.' },
    duplicates24h: integer,
    refused24h: integer,
    lastEventAt: { type: 'string', format: 'date-time' },
    usualGapSeconds: {
      type: 'integer',
      minimum: 300,
      description: 'Median gap between its events over the last 24 hours, at least 5 minutes.',
    },
    quiet: {
      type: 'boolean',
      description: 'No event for over 3 usual gaps, or none in 24 hours.',
    },
    quietForSeconds: { type: 'integer', description: 'Since the last event, when quiet.' },
  },
};

/**
 * The routes operators watch the gateway with: GET /systems and GET /webhooks/events.
 *
 * @example
 * const paths = { ...servicePaths(), ...watchPaths() };
 */
export function watchPaths(): Record<string, unknown> {
  return {
    '/systems': {
      get: {
        operationId: 'listSystems',
        summary:
          "Every business system's breaker, kill switches, rate budget and last 15 minutes of calls, errors and latency (any signed-in user)",
        tags: ['operators'],
        responses: {
          200: json(
            {
              type: 'object',
              required: ['systems'],
              properties: { systems: { type: 'array', items: systemView } },
            },
            'The systems',
          ),
          ...errors(401),
        },
      },
    },
    '/webhooks/events': {
      get: {
        operationId: 'listWebhookEvents',
        summary:
          'The webhook delivery log, newest first, and each source’s last 24 hours (roles admin, approver, auditor)',
        tags: ['operators', 'webhooks'],
        parameters: [
          query('source', 'Only this source.'),
          query('outcome', 'Only this outcome.', { type: 'string', enum: outcomes }),
          query('from', 'Received at or after (ISO 8601).', {
            type: 'string',
            format: 'date-time',
          }),
          query('to', 'Received at or before (ISO 8601).', { type: 'string', format: 'date-time' }),
          query('cursor', "The previous page's cursor, with the same filters."),
          query('limit', 'Events per page.', {
            type: 'integer',
            minimum: 1,
            maximum: 100,
            default: 25,
          }),
        ],
        responses: {
          200: json(
            {
              type: 'object',
              required: ['events', 'sources'],
              properties: {
                events: { type: 'array', items: eventView },
                cursor: { type: 'string', description: 'Present when there may be more.' },
                sources: { type: 'array', items: sourceView },
              },
            },
            'A page of the log, and every configured source',
          ),
          ...errors(400, 401, 403),
        },
      },
    },
  };
}
