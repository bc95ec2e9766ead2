import { systemsRole } from '#layers/composition/roles.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { listSystems } from './systems.ts';

const deps = systemsRole(process.env);

/** GET /systems. */
export const handler = gatewayHandler(deps, listSystems(deps));
