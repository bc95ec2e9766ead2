import { decisionRole } from '#layers/composition/roles.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { decide } from './decide.ts';

const deps = decisionRole(process.env);

/** POST /confirmations/{id} (confirm) and DELETE /confirmations/{id} (cancel). */
export const handler = gatewayHandler(deps, decide(deps));
