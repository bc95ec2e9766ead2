import { connectionsRole } from '#layers/composition/roles.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { manageConnections } from './connections.ts';

const deps = connectionsRole(process.env);

/** GET /connections, POST and DELETE /connections/{system}. */
export const handler = gatewayHandler(deps, manageConnections(deps));
