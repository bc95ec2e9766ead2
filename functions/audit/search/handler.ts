import { auditSearchRole } from '#layers/composition/roles.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { searchAudit } from './search-audit.ts';

const deps = auditSearchRole(process.env);

/** GET /audit, GET /audit/{auditId}. */
export const handler = gatewayHandler(deps, searchAudit(deps));
