import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { json } from '#layers/http-util/respond.ts';
import { cancelWrite, confirmWrite, type DecideDeps } from '#layers/writes/decisions.ts';

/**
 * POST /confirmations/{id}: turns a pending confirmation into exactly one queued operation.
 * DELETE /confirmations/{id}: cancels a pending one.
 */
export function decide(deps: DecideDeps): GatewayLogic {
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller) throw new Error('decide ran without a caller');
    const id = event.pathParameters?.id ?? '';
    if (event.requestContext.http.method === 'DELETE') {
      await cancelWrite(deps, caller, id);
      return { statusCode: 204, headers: {}, body: '' };
    }
    return json(202, { operation: await confirmWrite(deps, caller, id) });
  };
}
