import { describe, expect, it } from 'vitest';
import { UpstreamUnavailableError, ValidationError } from '#layers/errors/index.ts';
import { errorEnvelope } from '#layers/http/error-envelope.ts';
import type { GatewayRequest } from '#layers/http/types.ts';

function run(error: unknown) {
  const logged: unknown[] = [];
  const middleware = errorEnvelope({
    logger: { error: (...args: unknown[]) => logged.push(args), warn: () => undefined },
  });
  const request = {
    event: {},
    context: { gateway: { requestId: 'req-9', startedAt: 0 } },
    error,
    response: undefined,
    internal: {},
  } as unknown as GatewayRequest;
  middleware.onError?.(request);
  return { response: request.response, logged };
}

describe('errorEnvelope', () => {
  it('maps an AppError to its status and the envelope, with issues', () => {
    const { response } = run(
      new ValidationError('bad input', { issues: [{ path: 'a', message: 'fix a' }] }),
    );
    expect(response?.statusCode).toBe(400);
    expect(JSON.parse(String(response?.body))).toEqual({
      error: {
        code: 'validation_failed',
        category: 'validation',
        message: 'bad input',
        retryable: false,
        issues: [{ path: 'a', message: 'fix a' }],
      },
    });
  });

  it('adds Retry-After in seconds for retryable upstream errors', () => {
    const { response } = run(new UpstreamUnavailableError('CRM down', { retryAfterMs: 2500 }));
    expect(response?.statusCode).toBe(503);
    expect(response?.headers['retry-after']).toBe('3');
    expect(JSON.parse(String(response?.body)).error).toMatchObject({
      retryable: true,
      retryAfterMs: 2500,
    });
  });

  it("maps the body parser's errors to 415 and 400 invalid_json", () => {
    const unsupported = run(
      Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }),
    );
    const malformed = run(Object.assign(new Error('Invalid JSON'), { statusCode: 422 }));
    expect(unsupported.response?.statusCode).toBe(415);
    expect(JSON.parse(String(malformed.response?.body)).error.code).toBe('invalid_json');
    expect(malformed.response?.statusCode).toBe(400);
  });

  it('hides an unknown error behind a logged generic 500 naming the request id', () => {
    const { response, logged } = run(new Error('db password is hunter2'));
    expect(response?.statusCode).toBe(500);
    expect(response?.body).not.toContain('hunter2');
    expect(response?.body).toContain('req-9');
    expect(logged).toHaveLength(1);
  });
});
