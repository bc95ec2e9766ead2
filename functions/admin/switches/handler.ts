import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { jsonBody } from '#layers/http/json-body.ts';
import { buildDependencies } from '#layers/runtime/dependencies.ts';
import { killSwitchAdmin } from './switches.ts';

const deps = buildDependencies(process.env);

/** GET /admin/switches, PUT /admin/switches/{kind}/{name}. */
export const handler = gatewayHandler(deps, killSwitchAdmin(deps)).use(jsonBody());
