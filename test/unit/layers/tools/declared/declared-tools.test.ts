import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '#layers/connectors/authenticator.ts';
import { createHttpConnector } from '#layers/connectors/http-connector.ts';
import { defineSystem } from '#layers/connectors/system-definition.ts';
import { UpstreamDataError } from '#layers/errors/index.ts';
import type { DeclarationFile } from '#layers/systems/declaration-files.ts';
import { loadDeclaredSystems } from '#layers/systems/declared-systems.ts';
import { checkDeclaredTools, loadDeclaredTools } from '#layers/tools/declared/declared-tools.ts';
import type { AnyReadTool, AnyWriteTool, StepContext } from '#layers/tools/define.ts';
import { fakeFetch, jsonResponse, type Reply } from '#test/helpers/fake-fetch.ts';

const system = defineSystem({
  id: 'assets',
  displayName: 'Assets',
  apiShape: 'Assets v1',
  auth: { type: 'api_key', header: 'X-Api-Key' },
  pagination: { style: 'none' },
});

const getThing = {
  name: 'get_thing',
  title: 'Get a thing',
  description: 'Gets a thing by its id.',
  system: 'assets',
  risk: 'read',
  request: {
    method: 'GET',
    path: '/v1/things/{thing_id}',
    parameters: [{ name: 'thing_id', in: 'path' }],
  },
  input: {
    type: 'object',
    properties: { thing_id: { type: 'string', pattern: '^T-\\d+$', description: 'The id.' } },
    required: ['thing_id'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'The id.' },
      size: { type: 'integer', description: 'Size.' },
    },
    required: ['id', 'size'],
  },
};
const tool = (data: unknown, file = 'assets/tools/get_thing.json'): DeclarationFile => ({
  file,
  kind: 'tool',
  data,
});
const load = (...files: DeclarationFile[]) => loadDeclaredTools(files, [system]);
/** Loads and validates at once, as synth and local mode do. */
const check = (...files: DeclarationFile[]) => checkDeclaredTools(load(...files));

describe('loadDeclaredTools with checkDeclaredTools', () => {
  it('names the file, the field and the fix for an unknown field', () => {
    expect(() => check(tool({ ...getThing, risc: 'read' }))).toThrow(
      /layers\/systems\/declared\/assets\/tools\/get_thing\.json is not a valid declaration:\n- \(top level\): Unrecognized key: "risc"\. Fix: remove "risc" or correct its spelling/,
    );
  });

  it('names a missing field and says to add it', () => {
    const { title: _title, ...untitled } = getThing;
    expect(() => check(tool(untitled))).toThrow(/- title: .*Fix: add the field \(string\)/);
  });

  it('lists the declared systems when the tool names another', () => {
    expect(() =>
      check(tool({ ...getThing, system: 'billing' }, 'billing/tools/get_thing.json')),
    ).toThrow(
      /- system: no system "billing" is declared\. Fix: use one of "assets", or declare the system/,
    );
  });

  it('refuses a read tool that changes data, and a path placeholder without its parameter', () => {
    const post = { ...getThing, request: { ...getThing.request, method: 'POST' } };
    expect(() => check(tool(post))).toThrow(
      /- risk: a POST changes data, so the tool must be "write"/,
    );
    const unbound = { ...getThing, request: { ...getThing.request, parameters: [] } };
    expect(() => check(tool(unbound))).toThrow(/{thing_id}, which is no path parameter/);
  });

  it('refuses an input schema that accepts unknown fields', () => {
    const open = { ...getThing, input: { ...getThing.input, additionalProperties: true } };
    expect(() => check(tool(open))).toThrow(
      /- input: must be an object schema with "additionalProperties": false/,
    );
  });

  it("refuses a system declared in another system's folder", () => {
    const data = { ...system, id: 'assets' };
    expect(() =>
      loadDeclaredSystems([{ file: 'facilities/system.json', kind: 'system', data }]),
    ).toThrow(/- id: the system "assets" is declared in the folder "facilities"/);
  });
});

/** A declared tool's context: the system's connector over a fake fetch. */
function contextWith(reply: Reply, extra: Partial<StepContext> = {}) {
  const fake = fakeFetch(reply);
  const connector = createHttpConnector({
    system,
    baseUrl: 'https://assets.example',
    authenticator: createAuthenticator({
      system,
      baseUrl: 'https://assets.example',
      secretId: 'toolgate/assets',
      secrets: { getJson: async () => ({ apiKey: 'key-1' }) },
    }),
    timeoutMs: 1000,
    requestId: 'req-1',
    logger: { debug() {}, warn() {} },
    fetch: fake.fetch,
  });
  const ctx = {
    connectors: { assets: connector },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    requestId: 'req-1',
    caller: { sub: 'ana', roles: [] },
    settings: {} as StepContext['settings'],
    signal: new AbortController().signal,
    reportDegraded() {},
    withheld: new Set<string>(),
    operationId: 'op_1',
    idempotencyKey: 'op_1:send_request',
    results: {},
    ...extra,
  } as StepContext;
  return { ctx, seen: fake.seen };
}

describe('a declared read tool', () => {
  const [read] = load(tool(getThing)) as [AnyReadTool];

  it('sends the request with the system credentials and answers the checked data', async () => {
    const { ctx, seen } = contextWith(() => jsonResponse(200, { id: 'T-1', size: 3, extra: true }));
    const answer = await read.run(ctx, read.input.parse({ thing_id: 'T-1' }));
    expect(answer).toMatchObject({ id: 'T-1', size: 3 });
    expect(seen[0]?.url).toBe('https://assets.example/v1/things/T-1');
    expect(seen[0]?.headers.get('x-api-key')).toBe('key-1');
  });

  it('fails with 502 upstream_data_invalid when the answer breaks the output schema', async () => {
    const { ctx } = contextWith(() => jsonResponse(200, { id: 'T-1', size: 'big' }));
    const error = await read.run(ctx, { thing_id: 'T-1' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamDataError);
    expect(error).toMatchObject({ code: 'upstream_data_invalid', statusCode: 502 });
    expect((error as Error).message).toContain('size');
  });

  it('builds its zod schemas only when first used', () => {
    const [lazy] = load(
      tool({ ...getThing, output: { type: 'object', properties: { a: { $ref: '#/nowhere' } } } }),
    );
    // Loading did not convert the output; using it does.
    expect(lazy?.name).toBe('get_thing');
    expect(() => lazy?.output).toThrow();
  });
});

describe('a declared write tool', () => {
  const createThing = {
    ...getThing,
    name: 'create_thing',
    title: 'Create a thing',
    risk: 'write',
    request: {
      method: 'POST',
      path: '/v1/things',
      parameters: [],
      body: true,
      idempotencyKeyHeader: 'Idempotency-Key',
    },
    input: {
      type: 'object',
      properties: {
        body: {
          type: 'object',
          description: 'The thing.',
          properties: { size: { type: 'integer', description: 'Size.' } },
        },
      },
      required: ['body'],
      additionalProperties: false,
    },
    write: { compensation: { method: 'DELETE', path: '/v1/things/{result.id}' } },
  };
  const [write] = load(tool(createThing, 'assets/tools/create_thing.json')) as [AnyWriteTool];

  it('is person-confirmed by default and previews the request it will send', async () => {
    expect(write.confirmBy).toBe('self');
    expect(write.confirmAt).toBe('person');
    const { ctx, seen } = contextWith(() => jsonResponse(500, {}));
    const preview = await write.preview(ctx, { body: { size: 2 } });
    expect(preview.details).toEqual({
      request: { method: 'POST', path: '/v1/things', body: { size: 2 } },
    });
    expect(preview.summary).toBe('Create a thing: POST /v1/things on Assets.');
    expect(seen).toHaveLength(0);
  });

  it('sends the step with the operation idempotency key, and compensates with the declared call', async () => {
    const { ctx, seen } = contextWith((request) =>
      request.method === 'POST'
        ? jsonResponse(201, { id: 'T-9', size: 2 })
        : new Response(null, { status: 204 }),
    );
    const [step] = write.steps;
    expect(step?.repeatable).toBe(true);
    const result = await step?.run(ctx, { body: { size: 2 } });
    expect(result).toMatchObject({ id: 'T-9' });
    expect(seen[0]?.headers.get('idempotency-key')).toBe('op_1:send_request');
    expect(seen[0]?.body).toBe('{"size":2}');
    await step?.compensate?.(ctx, { body: { size: 2 } }, result);
    expect(seen[1]).toMatchObject({
      method: 'DELETE',
      url: 'https://assets.example/v1/things/T-9',
    });
  });
});

describe('checkDeclaredTools', () => {
  it('validates a declaration only once more than its name is read, or when checked', () => {
    // Arrange
    const [broken] = load(tool({ ...getThing, risk: 'maybe' }));

    // Act, assert
    expect(broken?.name).toBe('get_thing');
    expect(() => checkDeclaredTools(broken ? [broken] : [])).toThrow(
      /get_thing\.json is not a valid declaration:\n- risk: .*Fix: use one of "read", "write"/,
    );
  });
});

describe('loadDeclaredSystems', () => {
  const facilities = {
    id: 'facilities',
    displayName: 'Facilities',
    apiShape: 'Facilities API',
    baseUrl: 'https://facilities.example.com',
    auth: { type: 'api_key', header: 'X-Api-Key' },
    pagination: { style: 'none' },
  };
  const file = (data: unknown): DeclarationFile => ({
    file: 'facilities/system.json',
    kind: 'system',
    data,
  });

  it("reads a system with the hand-written systems' defaults", () => {
    const [system] = loadDeclaredSystems([file(facilities)]);
    expect(system).toMatchObject({ id: 'facilities', baseUrl: 'https://facilities.example.com' });
    expect(system?.retry).toEqual({ maxAttempts: 3, baseDelayMs: 100 });
  });

  it('names a misspelt field, a bad base URL and a bad auth mode with their fixes', () => {
    expect(() => loadDeclaredSystems([file({ ...facilities, timeout: 5000 })])).toThrow(
      /- \(top level\): Unrecognized key: "timeout"\. Fix: remove "timeout" or correct its spelling/,
    );
    expect(() => loadDeclaredSystems([file({ ...facilities, baseUrl: 'ftp://x' })])).toThrow(
      /- baseUrl: /,
    );
    expect(() => loadDeclaredSystems([file({ ...facilities, auth: { type: 'api_key' } })])).toThrow(
      /- auth\.header: .*Fix: add the field \(string\)/,
    );
  });
});
