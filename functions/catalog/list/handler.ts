import { catalogRole } from '#layers/composition/roles.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { catalog } from './catalog.ts';

const deps = catalogRole(process.env);

/** GET /tools, GET /tools/{name}, and POST /tools/{name} for unknown names. */
export const handler = gatewayHandler(deps, catalog(deps));
