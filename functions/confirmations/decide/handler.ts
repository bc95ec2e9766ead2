import { decisionRole } from '#layers/composition/roles.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { jsonBody } from '#layers/http/json-body.ts';
import { decide } from './decide.ts';

const deps = decisionRole(process.env);

/** GET /confirmations, GET /confirmations/{id}, POST (confirm) and DELETE (cancel) /confirmations/{id}. */
export const handler = gatewayHandler(deps, decide(deps)).use(jsonBody());
