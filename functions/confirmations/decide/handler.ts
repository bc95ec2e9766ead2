import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { buildDependencies } from '#layers/runtime/dependencies.ts';
import { decide } from './decide.ts';

const deps = buildDependencies(process.env);

/** POST /confirmations/{id} (confirm) and DELETE /confirmations/{id} (cancel). */
export const handler = gatewayHandler(deps, decide(deps));
