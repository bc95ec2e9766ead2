import * as z from 'zod';
import { ValidationError } from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { requestBaseUrl } from '#layers/http-util/api-gateway.ts';
import { json } from '#layers/http-util/respond.ts';
import {
  cancelWrite,
  confirmWrite,
  type DecideDeps,
  MAX_DECISION_REASON_LENGTH,
  pendingFor,
  readConfirmation,
} from '#layers/writes/decisions.ts';

/** `DELETE /confirmations/{id}` takes an optional reason, kept in the audit trail. */
const cancelBody = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1, 'must not be empty: leave the field out to give no reason')
    .max(MAX_DECISION_REASON_LENGTH)
    .optional(),
});

const refused = (issues: z.core.$ZodIssue[]) =>
  new ValidationError(
    `The request is invalid: ${issues.map((issue) => `${issue.path.join('.') || 'body'} ${issue.message}`).join('; ')}.`,
    {
      issues: issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    },
  );

/**
 * The confirmations of proposed writes, for the people who decide them (the console) and agents:
 * `GET /confirmations?status=pending` (what waits for the caller), `GET /confirmations/{id}`,
 * `POST /confirmations/{id}` (confirm: exactly one queued operation) and `DELETE
 * /confirmations/{id}` (cancel, with an optional reason).
 */
export function decide(deps: DecideDeps & { publicBaseUrl?: string | undefined }): GatewayLogic {
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller) throw new Error('decide ran without a caller');
    const baseUrl = requestBaseUrl(event, deps.publicBaseUrl);
    const id = event.pathParameters?.id;
    const method = event.requestContext.http.method;
    if (id === undefined) {
      const status = event.queryStringParameters?.status ?? 'pending';
      if (status !== 'pending') {
        throw new ValidationError(
          'The query parameter status must be "pending" (GET /confirmations lists what waits for your decision).',
          { issues: [{ path: 'status', message: 'must be "pending"' }] },
        );
      }
      return json(200, { confirmations: await pendingFor(deps, caller, baseUrl) });
    }
    if (method === 'GET')
      return json(200, { confirmation: await readConfirmation(deps, caller, id, baseUrl) });
    if (method === 'DELETE') {
      const parsed = cancelBody.safeParse(event.body ?? {});
      if (!parsed.success) throw refused(parsed.error.issues);
      // The audit record of this call keeps who decided (its caller), what and why.
      context.gateway.input = { confirmationId: id, decision: 'cancel', ...parsed.data };
      await cancelWrite(deps, caller, id, parsed.data.reason);
      return { statusCode: 204, headers: {}, body: '' };
    }
    // The audit record names the policy version the write was (or was refused) confirmed under.
    context.gateway.input = {
      confirmationId: id,
      decision: 'confirm',
      policyVersion: deps.policy.version,
    };
    const { policyVersion, ...operation } = await confirmWrite(deps, caller, id, baseUrl);
    context.gateway.input = { confirmationId: id, decision: 'confirm', policyVersion };
    return json(202, { operation });
  };
}
