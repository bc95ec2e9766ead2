import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '#layers/audit/audit-repository.ts';
import { AuditUnavailableError, ForbiddenError } from '#layers/errors/index.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import type { HttpEvent, HttpResult } from '#layers/http-util/api-gateway.ts';

/** The shared chain over fakes: an auditor that keeps records, a resolver that knows one token. */
function chain(
  logic: () => Promise<HttpResult>,
  options: { auditRefusal?: AuditUnavailableError } = {},
) {
  const records: AuditRecord[] = [];
  const quiet = () => undefined;
  const handler = gatewayHandler(
    {
      logger: { setCorrelationId: quiet, resetKeys: quiet, error: quiet, warn: quiet },
      auditor: {
        record: async (record) => {
          records.push(record);
          return options.auditRefusal;
        },
      },
      resolver: {
        fromToken: async () => ({ sub: 'ana', roles: ['support'] }),
        fromClaims: () => ({ sub: 'ana', roles: ['support'] }),
      },
    },
    logic,
  );
  const call = (headers: Record<string, string>) =>
    handler(
      {
        routeKey: 'POST /things',
        headers: { 'x-request-id': 'request-0001', ...headers },
        requestContext: { http: { method: 'POST' } },
      } as unknown as HttpEvent,
      {} as never,
    ) as Promise<HttpResult>;
  return { call, records };
}

const bodyOf = (result: HttpResult) => JSON.parse(String(result.body));

describe('gatewayHandler', () => {
  it('records the code and message the error envelope answered with, and names the request', async () => {
    // Arrange
    const { call, records } = chain(async () => {
      throw new ForbiddenError('Your roles do not allow this.');
    });
    // Act
    const result = await call({ Authorization: 'Bearer token' });
    // Assert
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result).error.code).toBe('forbidden');
    expect(result.headers?.['x-request-id']).toBe('request-0001');
    expect(records).toEqual([
      expect.objectContaining({
        sub: 'ana',
        statusCode: 403,
        errorCode: 'forbidden',
        errorMessage: 'Your roles do not allow this.',
      }),
    ]);
  });

  it('records a refusal that came before the caller was known, as anonymous', async () => {
    // Arrange
    const { call, records } = chain(async () => ({ statusCode: 200, headers: {}, body: '{}' }));
    // Act
    const result = await call({});
    // Assert
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['x-request-id']).toBe('request-0001');
    expect(records).toEqual([
      expect.objectContaining({ sub: 'anonymous', statusCode: 401, errorCode: 'missing_token' }),
    ]);
  });

  it("answers the auditor's refusal instead of a success it could not record", async () => {
    // Arrange
    const { call } = chain(async () => ({ statusCode: 200, headers: {}, body: '{"data":1}' }), {
      auditRefusal: new AuditUnavailableError('The audit trail is unavailable; retry.'),
    });
    // Act
    const result = await call({ authorization: 'Bearer token' });
    // Assert
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result).error.code).toBe('audit_unavailable');
    expect(result.headers?.['retry-after']).toBe('2');
    expect(result.headers?.['x-request-id']).toBe('request-0001');
  });
});
