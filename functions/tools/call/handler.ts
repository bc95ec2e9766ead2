import { toolCallRole } from '#layers/composition/roles.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { jsonBody } from '#layers/http/json-body.ts';
import { callTool, toolNameOf } from './call-tool.ts';

const deps = toolCallRole(process.env);

/** POST /tools/{name}: one function per tool on AWS (TOOL_NAME), all tools in local mode. */
export const handler = gatewayHandler(deps, callTool(deps), {
  auditSubject: (request) => toolNameOf(request.event),
}).use(jsonBody());
