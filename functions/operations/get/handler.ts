import { operationRole } from '#layers/composition/roles.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { getOperation } from './get-operation.ts';

const deps = operationRole(process.env);

/** GET /operations/{id}. */
export const handler = gatewayHandler(deps, getOperation(deps));
