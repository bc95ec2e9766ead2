import * as z from 'zod';
import type { Connector, QueryValue } from '../../connectors/connector.ts';
import { NotFoundError } from '../../errors/index.ts';
import {
  type AnyTool,
  connectorOf,
  type ObjectSchema,
  type ToolBase,
  type ToolContext,
} from '../define.ts';
import { type DeclaredRequest, placeholdersOf, type ToolDeclaration } from './tool-declaration.ts';

/** The saga step of a declared write: one call to the system. */
export const DECLARED_STEP = 'send_request';

type Input = Record<string, unknown>;

/** A path template filled from the input (and the write's answer), each value URL-encoded. */
function fillPath(template: string, input: Input, result?: unknown): string {
  return template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = name.startsWith('result.')
      ? (result as Input | undefined)?.[name.slice('result.'.length)]
      : input[name];
    return encodeURIComponent(String(value ?? ''));
  });
}

/** The HTTP request a declared tool sends for an input: what the preview shows, and what runs. */
export function requestFor(request: DeclaredRequest, input: Input) {
  const query: Record<string, QueryValue> = {};
  const headers: Record<string, string> = {};
  for (const parameter of request.parameters) {
    const value = input[parameter.name];
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    if (parameter.in === 'query') query[parameter.name] = text;
    if (parameter.in === 'header') headers[parameter.name.toLowerCase()] = text;
  }
  return {
    method: request.method,
    path: fillPath(request.path, input),
    query,
    headers,
    ...(request.body && input.body !== undefined ? { body: input.body } : {}),
  };
}

/** Whether sending the request twice has no further effect. */
const repeatable = (request: DeclaredRequest): boolean =>
  ['GET', 'HEAD', 'PUT', 'DELETE'].includes(request.method) ||
  request.idempotencyKeyHeader !== undefined;

/** An answer without a body (204, HEAD) is `{}` to the output schema. */
const answerOf = (output: z.ZodType) => z.preprocess((value) => value ?? {}, output);

/**
 * Sends a declared tool's request through the tool's connector (deadline, retries, breaker, rate
 * budget, credentials), its answer checked against the output schema.
 */
async function send(
  connector: Connector,
  declaration: ToolDeclaration,
  input: Input,
  output: z.ZodType,
  idempotencyKey?: string,
): Promise<unknown> {
  const { method, path, query, headers, body } = requestFor(declaration.request, input);
  const keyHeader = declaration.request.idempotencyKeyHeader;
  if (idempotencyKey && keyHeader) headers[keyHeader.toLowerCase()] = idempotencyKey;
  const pathFields = placeholdersOf(declaration.request.path);
  return connector.request({
    operation: declaration.source?.operationId ?? declaration.name,
    method,
    path,
    query,
    headers,
    ...(body !== undefined ? { body } : {}),
    idempotent: repeatable(declaration.request),
    response: answerOf(output),
    notFound: () =>
      new NotFoundError(
        'upstream_not_found',
        `${connector.displayName} has no such record (${declaration.name}${pathFields.length > 0 ? `: check ${pathFields.join(', ')}` : ''}).`,
      ),
  });
}

/** The zod schemas of a declaration, built on first use so a function only builds its own tool's. */
function lazySchemas(declaration: ToolDeclaration) {
  let input: ObjectSchema | undefined;
  let output: z.ZodType | undefined;
  return {
    input: (): ObjectSchema => {
      input ??= z.fromJSONSchema(declaration.input) as ObjectSchema;
      return input;
    },
    output: (): z.ZodType => {
      output ??= z.fromJSONSchema(declaration.output);
      return output;
    },
  };
}

/**
 * Turns a validated tool declaration into the same tool object a hand-written tool is: it joins the
 * registry, policy, catalog, MCP, REST, audit and the connector's resilience like any other.
 *
 * @example
 * const tool = toolFromDeclaration(parseDeclaration(toolDeclarationSchema, file));
 */
export function toolFromDeclaration(declaration: ToolDeclaration): AnyTool {
  const schemas = lazySchemas(declaration);
  const base: Omit<ToolBase, 'input' | 'output'> = {
    name: declaration.name,
    title: declaration.title,
    description: declaration.description,
    systems: [declaration.system],
    ...(declaration.redact ? { redact: declaration.redact } : {}),
    ...(declaration.timeoutMs ? { timeoutMs: declaration.timeoutMs } : {}),
  };
  const connector = (ctx: ToolContext) => connectorOf(ctx, declaration.system);
  if (declaration.risk === 'read') {
    return {
      ...base,
      risk: 'read',
      get input() {
        return schemas.input();
      },
      get output() {
        return schemas.output();
      },
      ...(declaration.cache ? { cache: declaration.cache } : {}),
      async run(ctx: ToolContext, input: Input) {
        if (declaration.request.method !== 'HEAD')
          return send(connector(ctx), declaration, input, schemas.output());
        try {
          await send(connector(ctx), declaration, input, z.unknown());
          return { found: true };
        } catch (error) {
          if (error instanceof NotFoundError) return { found: false };
          throw error;
        }
      },
    };
  }
  return declaredWrite(declaration, base, schemas, connector);
}

function declaredWrite(
  declaration: ToolDeclaration,
  base: Omit<ToolBase, 'input' | 'output'>,
  schemas: ReturnType<typeof lazySchemas>,
  connector: (ctx: ToolContext) => Connector,
): AnyTool {
  const write = declaration.write ?? { confirmBy: 'self' as const, confirmAt: 'person' as const };
  const { compensation, currentState } = write;
  return {
    ...base,
    risk: 'write',
    get input() {
      return schemas.input();
    },
    get output() {
      return schemas.output();
    },
    confirmBy: write.confirmBy,
    confirmAt: write.confirmAt,
    async preview(ctx: ToolContext, input: Input) {
      const request = requestFor(declaration.request, input);
      const current = currentState
        ? await connector(ctx).request({
            operation: `${declaration.source?.operationId ?? declaration.name}:current`,
            path: fillPath(currentState.path, input),
            response: z.unknown(),
          })
        : undefined;
      const sent = {
        method: request.method,
        path: request.path,
        ...(Object.keys(request.query).length > 0 ? { query: request.query } : {}),
        ...(Object.keys(request.headers).length > 0 ? { headers: request.headers } : {}),
        ...('body' in request ? { body: request.body } : {}),
      };
      return {
        summary: `${declaration.title}: ${request.method} ${request.path} on ${connector(ctx).displayName}.`,
        changes: [{ field: 'request', before: current ?? null, after: sent }],
        details: { request: sent, ...(currentState ? { current } : {}) },
      };
    },
    steps: [
      {
        name: DECLARED_STEP,
        system: declaration.system,
        repeatable: repeatable(declaration.request),
        run: (ctx, input: Input) =>
          send(connector(ctx), declaration, input, schemas.output(), ctx.idempotencyKey),
        ...(compensation
          ? {
              async compensate(ctx, input: Input, result) {
                await connector(ctx)
                  .request({
                    operation: `${declaration.source?.operationId ?? declaration.name}:undo`,
                    method: compensation.method,
                    path: fillPath(compensation.path, input, result),
                    idempotent: true,
                    response: z.unknown(),
                  })
                  .catch((error: unknown) => {
                    // Already gone: nothing left to undo.
                    if (!(error instanceof NotFoundError)) throw error;
                  });
              },
            }
          : {}),
      },
    ],
    result: (results) => results[DECLARED_STEP],
  };
}
