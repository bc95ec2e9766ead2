import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { jsonBody } from '#layers/http/json-body.ts';
import { buildDependencies } from '#layers/runtime/dependencies.ts';
import { callTool } from './call-tool.ts';

const deps = buildDependencies(process.env);

/** POST /tools/{name}: one function per tool on AWS (TOOL_NAME), all tools in local mode. */
export const handler = gatewayHandler(deps, callTool(deps), {
  auditSubject: (request) => request.event.pathParameters?.name,
}).use(jsonBody());
