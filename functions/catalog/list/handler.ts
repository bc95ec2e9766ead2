import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { buildDependencies } from '#layers/runtime/dependencies.ts';
import { catalog } from './catalog.ts';

const deps = buildDependencies(process.env);

/** GET /tools, GET /tools/{name}, and POST /tools/{name} for unknown names. */
export const handler = gatewayHandler(deps, catalog(deps));
