import type { DeclaredSystem } from '#layers/systems/declared-systems.ts';
import type { ToolDeclaration } from '#layers/tools/declared/tool-declaration.ts';
import { type Schema, toJsonSchema, undescribed } from './json-schema.ts';
import type { ParsedSpec } from './parse-spec.ts';

/** What the import could not carry over, or should be better, and how to fix it. */
export interface ImportWarning {
  /** The operation (its operationId or method and path), or `system`. */
  where: string;
  message: string;
  fix: string;
}

/** A tool declaration as the import writes it (defaults left to the loader). */
export type ImportedTool = Omit<ToolDeclaration, 'source'> & {
  source: { spec: string; operationId: string; imported: Record<string, string> };
};
export type ImportedSystem = Omit<DeclaredSystem, 'retry' | 'requestIdHeaders' | 'source'> & {
  source: { spec: string; imported: Record<string, string> };
};

export interface ImportResult {
  system: ImportedSystem;
  tools: ImportedTool[];
  warnings: ImportWarning[];
}

const TOOL_NAME = /^[a-z][a-z0-9_]{2,63}$/;
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;
/** Headers the gateway sets itself: never an input field. */
const OWN_HEADERS = new Set(['authorization', 'content-type', 'accept', 'x-request-id']);

/** `listAssets`, `list-assets`, `ListAssets` → `list_assets`. */
export function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** A name that keeps the tool name rule, close to `name`. */
export function proposeName(name: string, system: string): string {
  let proposed = name.replace(/[^a-z0-9_]/g, '_').replace(/_+/g, '_');
  if (!/^[a-z]/.test(proposed)) proposed = `${system}_${proposed}`.replace(/_+/g, '_');
  if (proposed.length < 3) proposed = `${system}_${proposed}`;
  return proposed.slice(0, 64).replace(/_+$/, '');
}

/**
 * The description an agent chooses by: the spec's description, after the summary unless the
 * description's first sentence already says it (the summary is the tool's title either way), so
 * an agent does not read "Get one asset. Gets one asset by its id…".
 */
function describe(operation: Record<string, unknown>): string {
  const summary = String(operation.summary ?? '').trim();
  const description = String(operation.description ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  const sentence = summary && !/[.!?]$/.test(summary) ? `${summary}.` : summary;
  if (!sentence) return description;
  if (!description) return sentence;
  const firstSentence = description.split(/(?<=[.!?])\s/)[0] ?? description;
  return restates(firstSentence, summary) ? description : `${sentence} ${description}`;
}

const FILLER = new Set(
  'a an the of for to by its one and or in on at is it that yet be are from with'.split(' '),
);

/**
 * A word's rough stem: lower case, no possessive, no -ing, -ed or -s, then no final e, so
 * "Retrieves" ~ "retrieve" and "installed" ~ "install".
 */
const stems = (text: string): string[] =>
  (text.toLowerCase().match(/[a-z0-9]+(?:'s)?/g) ?? [])
    .map((word) => word.replace(/'s$/, ''))
    .filter((word) => !FILLER.has(word))
    .map((word) =>
      word
        .replace(/(ing|ed|s)$/, (ending) => (word.length - ending.length >= 3 ? '' : ending))
        .replace(/(?<=...)e$/, ''),
    );

/** Whether a sentence carries at least 60% of the summary's words: it says the same. */
export function restates(sentence: string, summary: string): boolean {
  const said = new Set(stems(sentence));
  const words = [...new Set(stems(summary))];
  if (words.length === 0) return true;
  return words.filter((word) => said.has(word)).length / words.length >= 0.6;
}

/** Weak for an agent: empty, shorter than the registry's rule, or no "Use it when…". */
function weakness(description: string): string | undefined {
  if (!description) return 'has no summary or description';
  if (description.length < 100)
    return `is too short for an agent to choose by (${description.length} characters)`;
  if (!/\bUse\b/.test(description)) return 'does not say when to use it';
  return undefined;
}

const jsonContent = (content: unknown): { schema?: unknown } | undefined => {
  const entries = Object.entries((content ?? {}) as Record<string, { schema?: unknown }>);
  return entries.find(([type]) => /^application\/([\w.-]+\+)?json\b/.test(type))?.[1];
};

/**
 * Turns a parsed OpenAPI document into declarations: a system from `servers` and
 * `securitySchemes`, and a tool per selected operation (GET and HEAD read, the others write), with
 * every warning and its fix. Pure: writes nothing.
 *
 * @example
 * const { system, tools, warnings } = importOpenApi(await parseSpec(text, file), { systemId: 'facilities', spec: file });
 */
export function importOpenApi(
  parsed: ParsedSpec,
  options: {
    systemId: string;
    spec: string;
    operations?: readonly string[];
    taken?: readonly string[];
  },
): ImportResult {
  const { api, version } = parsed;
  const warnings: ImportWarning[] = [];
  const warnOnce = (where: string) => {
    const seen = new Set<string>();
    return (message: string, fix = 'review the written file') => {
      if (seen.has(message)) return;
      seen.add(message);
      warnings.push({ where, message, fix });
    };
  };
  const { system, pathPrefix } = systemOf(api, options, warnOnce('system'));
  const tools: ImportedTool[] = [];
  const selected = options.operations ? new Set(options.operations) : undefined;
  const found = new Set<string>();
  const paths = (api.paths ?? {}) as Record<string, Record<string, unknown>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of Object.keys(item)) {
      if (['options', 'trace'].includes(method))
        warnOnce(`${method.toUpperCase()} ${path}`)(
          `${method.toUpperCase()} operations are not imported`,
          'nothing to do: agents have no use for them',
        );
    }
    for (const method of METHODS) {
      const operation = item[method] as Record<string, unknown> | undefined;
      if (!operation) continue;
      const operationId =
        typeof operation.operationId === 'string' ? operation.operationId : undefined;
      const where = operationId ?? `${method.toUpperCase()} ${path}`;
      const warn = warnOnce(where);
      const name = snakeCase(operationId ?? `${method}_${path}`);
      if (selected && !selected.has(operationId ?? '') && !selected.has(name)) continue;
      found.add(operationId ?? name);
      found.add(name);
      if (!operationId)
        warn(
          `no operationId: the tool is named "${name}" after its method and path`,
          'give the operation an operationId in the spec, or rename the tool in its file',
        );
      const tool = toolOf({
        root: api,
        method,
        path,
        pathPrefix,
        item,
        operation,
        operationId: operationId ?? name,
        name,
        systemId: options.systemId,
        spec: options.spec,
        version,
        taken: [...(options.taken ?? []), ...tools.map((other) => other.name)],
        warn,
      });
      if (tool) tools.push(tool);
    }
  }
  const missing = [...(selected ?? [])].filter((wanted) => !found.has(wanted));
  if (missing.length > 0)
    throw new Error(
      `--operations names ${missing.join(', ')}, which the spec does not have. Its operations: ${Object.entries(
        paths,
      )
        .flatMap(([, item]) =>
          METHODS.flatMap((method) => {
            const id = (item[method] as { operationId?: string } | undefined)?.operationId;
            return id ? [id] : [];
          }),
        )
        .join(', ')}.`,
    );
  return { system, tools, warnings };
}

function systemOf(
  api: Record<string, unknown>,
  options: { systemId: string; spec: string },
  warn: (message: string, fix?: string) => void,
): { system: ImportedSystem; pathPrefix: string } {
  const info = (api.info ?? {}) as { title?: string; version?: string };
  const server = (
    (api.servers ?? []) as { url?: string; variables?: Record<string, { default?: string }> }[]
  )[0];
  let baseUrl: string | undefined;
  let pathPrefix = '';
  if (!server?.url) {
    warn(
      'the spec names no server',
      `set the base URL per stage with -c ${options.systemId}BaseUrl=https://… (or add "baseUrl" to system.json)`,
    );
  } else {
    const url = server.url.replace(
      /\{([^}]+)\}/g,
      (_m, name: string) => server.variables?.[name]?.default ?? '',
    );
    if (URL.canParse(url)) {
      const parsed = new URL(url);
      baseUrl = parsed.origin;
      pathPrefix = parsed.pathname.replace(/\/$/, '');
    } else {
      pathPrefix = url.startsWith('/') ? url.replace(/\/$/, '') : '';
      warn(
        `the server URL "${server.url}" is relative`,
        `set the base URL per stage with -c ${options.systemId}BaseUrl=https://… (or add "baseUrl" to system.json)`,
      );
    }
  }
  const limit = api['x-ratelimit'] as { requests?: unknown; perSeconds?: unknown } | undefined;
  const rateLimit =
    typeof limit?.requests === 'number' && typeof limit.perSeconds === 'number'
      ? { requests: limit.requests, perSeconds: limit.perSeconds }
      : undefined;
  const title = info.title?.trim() || options.systemId;
  return {
    pathPrefix,
    system: {
      id: options.systemId,
      displayName: title,
      apiShape: `${title} ${info.version ?? ''} (OpenAPI ${String(api.openapi)})`.replace(
        /\s+/g,
        ' ',
      ),
      ...(baseUrl ? { baseUrl } : {}),
      auth: authOf(api, warn),
      pagination: { style: 'none' },
      ...(rateLimit ? { rateLimit } : {}),
      source: { spec: options.spec, imported: {} },
    },
  };
}

/** The auth mode from the security requirement the spec applies (else its first scheme). */
function authOf(
  api: Record<string, unknown>,
  warn: (message: string, fix?: string) => void,
): ImportedSystem['auth'] {
  const components = (api.components ?? {}) as {
    securitySchemes?: Record<string, Record<string, unknown>>;
  };
  const schemes = components.securitySchemes ?? {};
  const required = ((api.security ?? []) as Record<string, unknown>[]).flatMap(Object.keys);
  const name = required.find((candidate) => schemes[candidate]) ?? Object.keys(schemes)[0];
  const scheme = name ? schemes[name] : undefined;
  const unsupported = (what: string) => {
    warn(
      `${what} is not supported: the system is declared with a bearer token`,
      'use an API key header, bearer, basic or OAuth2 client credentials if the system offers one, and set "auth" in system.json',
    );
    return { type: 'bearer' } as const;
  };
  if (!scheme) {
    warn(
      'the spec declares no securitySchemes: the system is declared with a bearer token',
      'set "auth" in system.json to what the system expects',
    );
    return { type: 'bearer' };
  }
  if (scheme.type === 'apiKey') {
    if (scheme.in === 'header') return { type: 'api_key', header: String(scheme.name) };
    return unsupported(`an API key in the ${String(scheme.in)}`);
  }
  if (scheme.type === 'http') {
    const kind = String(scheme.scheme ?? '').toLowerCase();
    if (kind === 'bearer') return { type: 'bearer' };
    if (kind === 'basic') return { type: 'basic' };
    return unsupported(`HTTP ${kind} authentication`);
  }
  if (scheme.type === 'oauth2') {
    const flow = (
      scheme.flows as
        | Record<string, { tokenUrl?: string; scopes?: Record<string, string> }>
        | undefined
    )?.clientCredentials;
    if (flow?.tokenUrl) {
      const scopes = Object.keys(flow.scopes ?? {});
      return {
        type: 'oauth2_client_credentials',
        tokenPath: flow.tokenUrl,
        ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
      };
    }
    return unsupported('OAuth2 without the client credentials flow (a flow that needs a user)');
  }
  return unsupported(`the ${String(scheme.type)} security scheme`);
}

interface OperationContext {
  root: Record<string, unknown>;
  method: (typeof METHODS)[number];
  path: string;
  pathPrefix: string;
  item: Record<string, unknown>;
  operation: Record<string, unknown>;
  operationId: string;
  name: string;
  systemId: string;
  spec: string;
  version: '3.0' | '3.1';
  taken: readonly string[];
  warn(message: string, fix?: string): void;
}

function toolOf(context: OperationContext): ImportedTool | undefined {
  const { method, operation, warn } = context;
  const convert = (schema: unknown, direction: 'input' | 'output') =>
    toJsonSchema(schema, {
      direction,
      version: context.version,
      root: context.root,
      warn: (message) => warn(message),
    });

  let name = context.name;
  if (!TOOL_NAME.test(name)) {
    const proposed = proposeName(name, context.systemId);
    warn(
      `the name "${name}" breaks the tool name rule (snake_case, 3 to 64 characters, starting with a letter)`,
      `the tool is written as "${proposed}"; rename it in its file if you prefer another`,
    );
    name = proposed;
  }
  if (context.taken.includes(name)) {
    const proposed = proposeName(`${context.systemId}_${name}`, context.systemId);
    warn(`a tool "${name}" exists already`, `the tool is written as "${proposed}"`);
    name = proposed;
  }
  if (operation.callbacks)
    warn(
      'its callbacks are not carried over (the gateway makes no calls back)',
      'receive the callbacks as webhooks (README "Webhooks") if agents need what they carry',
    );

  const properties: Schema = {};
  const required: string[] = [];
  const parameters: ToolDeclaration['request']['parameters'] = [];
  let idempotencyKeyHeader: string | undefined;
  const all = [
    ...((context.item.parameters ?? []) as Record<string, unknown>[]),
    ...((operation.parameters ?? []) as Record<string, unknown>[]),
  ];
  // An operation's own parameter overrides the path item's of the same name and place.
  const byKey = new Map(all.map((parameter) => [`${parameter.in}:${parameter.name}`, parameter]));
  for (const parameter of byKey.values()) {
    const parameterName = String(parameter.name);
    const place = String(parameter.in);
    if (place === 'cookie') {
      warn(
        `the cookie parameter "${parameterName}" is not carried over`,
        'the gateway sends no cookies; ask the system for a header or query alternative',
      );
      continue;
    }
    if (place === 'header' && /^idempotency-key$/i.test(parameterName)) {
      idempotencyKeyHeader = parameterName;
      continue;
    }
    if (place === 'header' && OWN_HEADERS.has(parameterName.toLowerCase())) continue;
    const schemaSource =
      parameter.schema ??
      (
        jsonContent(parameter.content) ??
        Object.values((parameter.content ?? {}) as Record<string, { schema?: unknown }>)[0]
      )?.schema;
    const schema = convert(schemaSource, 'input');
    const description = String(parameter.description ?? schema.description ?? '').trim();
    if (description.length < 5)
      warn(
        `the ${place} parameter "${parameterName}" has no description`,
        'describe it in the spec or in the tool file: agents fill fields by their descriptions',
      );
    if (place === 'query' && (schema.type === 'object' || parameter.style === 'deepObject')) {
      warn(
        `the object query parameter "${parameterName}" is not carried over (deepObject and form objects are not sent)`,
        'replace it with scalar query parameters in the spec, or write the tool by hand',
      );
      continue;
    }
    if (place === 'query' && schema.type === 'array' && parameter.explode !== false)
      warn(
        `the array query parameter "${parameterName}" is sent comma-separated (explode: false)`,
        'check that the system accepts a=1,2 rather than a=1&a=2',
      );
    properties[parameterName] = {
      ...schema,
      description: description || `The ${place} parameter ${parameterName}.`,
    };
    if (place === 'path' || parameter.required === true) required.push(parameterName);
    parameters.push({ name: parameterName, in: place as 'path' | 'query' | 'header' });
  }

  let body = false;
  const requestBody = operation.requestBody as
    | { content?: Record<string, unknown>; required?: boolean; description?: string }
    | undefined;
  if (requestBody) {
    const json = jsonContent(requestBody.content);
    if (!json) {
      const types = Object.keys(requestBody.content ?? {}).join(', ');
      warn(
        `its request body (${types}) cannot be carried over: only JSON bodies are; the operation is left out`,
        'offer a JSON variant of the operation, or write the tool by hand (README "Adding a tool")',
      );
      return undefined;
    }
    body = true;
    const schema = convert(json.schema, 'input');
    properties.body = {
      ...schema,
      description: String(
        requestBody.description ?? schema.description ?? 'The JSON request body.',
      ),
    };
    if (requestBody.required) required.push('body');
  }

  const reading = method === 'get' || method === 'head';
  let output: Schema;
  if (method === 'head') {
    output = {
      type: 'object',
      properties: { found: { type: 'boolean', description: 'Whether the system has the record.' } },
      required: ['found'],
    };
  } else {
    const responses = (operation.responses ?? {}) as Record<
      string,
      { content?: unknown; description?: string }
    >;
    const code =
      ['200', '201'].find((status) => responses[status]) ??
      Object.keys(responses).find((status) => /^2/.test(status));
    const response = code ? responses[code] : undefined;
    const json = response ? jsonContent(response.content) : undefined;
    if (!code)
      warn(
        'it declares no 2xx answer',
        'add the 200 or 201 response to the spec; the answer is accepted as is',
      );
    const types = Object.keys((response?.content ?? {}) as Record<string, unknown>);
    if (!json && types.length > 0)
      warn(
        `its answer (${types.join(', ')}) is not JSON: the tool answers {} and the content is lost`,
        'offer a JSON answer in the spec, or write the tool by hand',
      );
    output = json?.schema
      ? convert(json.schema, 'output')
      : { type: 'object', description: 'The system answers without a body.', properties: {} };
    const bare = undescribed(output);
    if (bare.length > 0)
      warn(
        `${bare.length} field${bare.length === 1 ? '' : 's'} of its answer ha${bare.length === 1 ? 's' : 've'} no description (${bare.slice(0, 3).join(', ')}${bare.length > 3 ? ', …' : ''})`,
        'describe them in the spec or the tool file: the registry test requires every field described',
      );
  }

  const description = describe(operation);
  const weak = weakness(description);
  if (weak)
    warn(
      `its description ${weak}`,
      'write at least two sentences of 100+ characters: what it returns, then "Use it when …" (the registry test checks this)',
    );
  const summary = String(operation.summary ?? '')
    .trim()
    .replace(/\.$/, '');
  const title = summary.length >= 4 && summary.length <= 80 ? summary : name.replace(/_/g, ' ');
  const sameGet = !reading && (context.item.get as Record<string, unknown> | undefined);

  const tool: ImportedTool = {
    name,
    title: title[0]?.toUpperCase() + title.slice(1),
    description,
    system: context.systemId,
    risk: reading ? 'read' : 'write',
    request: {
      method: method.toUpperCase() as ToolDeclaration['request']['method'],
      path: `${context.pathPrefix}${context.path}`,
      parameters,
      body,
      ...(idempotencyKeyHeader ? { idempotencyKeyHeader } : {}),
    },
    input: {
      type: 'object',
      properties,
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
    },
    output,
    ...(reading
      ? {}
      : {
          write: {
            confirmBy: 'self' as const,
            confirmAt: 'person' as const,
            ...(sameGet && method !== 'post'
              ? { currentState: { path: `${context.pathPrefix}${context.path}` } }
              : {}),
          },
        }),
    source: { spec: context.spec, operationId: context.operationId, imported: {} },
  };
  return tool;
}
