import { adminRole } from '#layers/composition/roles.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { jsonBody } from '#layers/http/json-body.ts';
import { killSwitchAdmin } from './switches.ts';

const deps = adminRole(process.env);

/** GET /admin/switches, PUT /admin/switches/{kind}/{name}. */
export const handler = gatewayHandler(deps, killSwitchAdmin(deps)).use(jsonBody());
