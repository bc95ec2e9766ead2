import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { buildDependencies } from '#layers/runtime/dependencies.ts';
import { getOperation } from './get-operation.ts';

const deps = buildDependencies(process.env);

/** GET /operations/{id}. */
export const handler = gatewayHandler(deps, getOperation(deps));
