import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { declarationFiles } from '#layers/systems/declared/index.ts';
import { importOpenApi, proposeName, restates, snakeCase } from '#local/import/openapi-import.ts';
import { parseSpec, SpecError } from '#local/import/parse-spec.ts';

const SPECS = join(import.meta.dirname, 'specs');
const SANDBOX_SPEC = 'local/sandboxes/facilities.openapi.yaml';

async function imported(file: string, systemId: string, operations?: string[]) {
  const parsed = await parseSpec(await readFile(file, 'utf8'), file);
  return importOpenApi(parsed, {
    systemId,
    spec: file,
    ...(operations ? { operations } : {}),
  });
}
const toolNamed = (result: Awaited<ReturnType<typeof imported>>, name: string) => {
  const tool = result.tools.find((candidate) => candidate.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
};
const warningsOf = (result: Awaited<ReturnType<typeof imported>>, where: string) =>
  result.warnings.filter((warning) => warning.where === where).map((warning) => warning.message);

describe('snakeCase and proposeName', () => {
  it('turns operationIds of every style into snake_case', () => {
    expect(snakeCase('listAssets')).toBe('list_assets');
    expect(snakeCase('GetV1ChargesCharge')).toBe('get_v1_charges_charge');
    expect(snakeCase('get-issue.v2')).toBe('get_issue_v2');
    expect(snakeCase('HTTPStatusCheck')).toBe('http_status_check');
  });

  it('proposes a name that keeps the rule when the operationId breaks it', () => {
    expect(proposeName('3ds_payment_link', 'payments')).toBe('payments_3ds_payment_link');
    expect(proposeName('go', 'crm')).toBe('crm_go');
    expect(proposeName(`a${'_x'.repeat(40)}`, 'crm')).toMatch(/^[a-z][a-z0-9_]{2,63}$/);
  });
});

describe('importOpenApi on the facilities sandbox spec (3.1, YAML)', () => {
  it("puts the summary before the description unless the description's first sentence says it", async () => {
    const facilities = await imported(SANDBOX_SPEC, 'facilities');
    const getAsset = toolNamed(facilities, 'get_asset');
    expect(getAsset.title).toBe('Get one installed asset');
    expect(getAsset.description).toMatch(/^Gets one asset by its id \(AST-100042-1 style\)/);
    const payments = await imported(join(SPECS, 'payments.openapi.json'), 'payments');
    // "Retrieve a charge" / "Retrieves one charge…": said once.
    expect(toolNamed(payments, 'get_charge').description).toMatch(/^Retrieves one charge/);
    expect(restates('Lists the charges of an account, newest first.', 'List charges')).toBe(true);
    expect(
      restates('Returns the payment intent with its charges.', 'Retrieve a PaymentIntent'),
    ).toBe(false);
  });

  it('declares the system from servers, securitySchemes and x-ratelimit', async () => {
    const { system, warnings } = await imported(SANDBOX_SPEC, 'facilities');
    expect(system).toMatchObject({
      id: 'facilities',
      baseUrl: 'https://facilities.example.com',
      auth: { type: 'api_key', header: 'X-Api-Key' },
      rateLimit: { requests: 50, perSeconds: 10 },
    });
    expect(warnings).toEqual([]);
  });

  it('makes GET and HEAD read tools and the others write tools, with the server path in front', async () => {
    const result = await imported(SANDBOX_SPEC, 'facilities');
    expect(result.tools.map((tool) => [tool.name, tool.risk, tool.request.method])).toEqual([
      ['list_assets', 'read', 'GET'],
      ['get_asset', 'read', 'GET'],
      ['asset_exists', 'read', 'HEAD'],
      ['list_asset_work_orders', 'read', 'GET'],
      ['create_work_order', 'write', 'POST'],
      ['cancel_work_order', 'write', 'DELETE'],
    ]);
    expect(toolNamed(result, 'get_asset').request.path).toBe('/v2/assets/{asset_id}');
    expect(toolNamed(result, 'create_work_order').request).toMatchObject({
      body: true,
      idempotencyKeyHeader: 'Idempotency-Key',
      parameters: [],
    });
    expect(toolNamed(result, 'asset_exists').output).toMatchObject({
      properties: { found: { type: 'boolean' } },
    });
  });

  it('builds the input from path and query parameters and the output from the 200 answer', async () => {
    const tool = toolNamed(await imported(SANDBOX_SPEC, 'facilities'), 'list_assets');
    expect(tool.input).toMatchObject({
      type: 'object',
      required: ['customer_number'],
      additionalProperties: false,
      properties: {
        customer_number: { type: 'string', pattern: '^C-\\d{5}$' },
        page: { type: 'integer', minimum: 1, default: 1 },
        per_page: { maximum: 100 },
      },
    });
    const output = z.fromJSONSchema(tool.output);
    expect(
      output.safeParse({ data: [], page: 1, per_page: 25, total: 0, has_more: false }).success,
    ).toBe(true);
    expect(output.safeParse({ data: [], page: '1' }).success).toBe(false);
  });

  it('writes what the committed declarations hold, but for the edits made to them by hand', async () => {
    const result = await imported(SANDBOX_SPEC, 'facilities');
    for (const tool of result.tools) {
      const committed = declarationFiles.find(
        (file) => file.file === `facilities/tools/${tool.name}.json`,
      )?.data as Record<string, unknown> | undefined;
      expect(committed, tool.name).toBeDefined();
      for (const field of ['name', 'risk', 'request', 'input', 'output'] as const)
        expect(committed?.[field], `${tool.name}.${field}`).toEqual(tool[field]);
    }
  });
});

describe('importOpenApi on a payments spec modelled on a card-payments API (3.0, JSON)', () => {
  const file = join(SPECS, 'payments.openapi.json');

  it('takes a bearer token, the server variable defaults and cursor pagination inputs', async () => {
    const result = await imported(file, 'payments');
    expect(result.system).toMatchObject({
      baseUrl: 'https://api.payments.example',
      auth: { type: 'bearer' },
    });
    const list = toolNamed(result, 'list_charges');
    expect(list.request.path).toBe('/eu/v1/charges');
    expect(Object.keys(list.input.properties as object)).toEqual([
      'limit',
      'starting_after',
      'ending_before',
      'customer',
      'expand',
    ]);
  });

  it('turns nullable fields into null types and keeps oneOf through a $ref chain', async () => {
    const charge = toolNamed(await imported(file, 'payments'), 'get_charge');
    const output = z.fromJSONSchema(charge.output);
    const answer = {
      id: 'ch_1',
      amount: { amount: 1250, currency: 'eur' },
      status: 'succeeded',
      failure_message: null,
      refunded_at: null,
      payment_method: { type: 'bank_account', bank_name: null },
    };
    expect(output.safeParse(answer).success).toBe(true);
    expect(
      output.safeParse({ ...answer, amount: { amount: 1250, currency: 'EURO' } }).success,
    ).toBe(false);
    expect(output.safeParse({ ...answer, payment_method: { type: 'cash' } }).success).toBe(false);
  });

  it('warns with the fix for a form body, a callback, a name that breaks the rule and a weak description', async () => {
    const result = await imported(file, 'payments');
    expect(result.tools.map((tool) => tool.name)).not.toContain('post_refunds');
    expect(warningsOf(result, 'PostRefunds')).toEqual([
      expect.stringContaining('application/x-www-form-urlencoded'),
    ]);
    const link = warningsOf(result, '3dsPaymentLink');
    expect(link).toEqual(
      expect.arrayContaining([
        expect.stringContaining('breaks the tool name rule'),
        expect.stringContaining('callbacks are not carried over'),
        expect.stringContaining('too short for an agent'),
      ]),
    );
    const written = toolNamed(result, 'payments_3ds_payment_link');
    // readOnly fields leave the input.
    expect(Object.keys((written.input.properties as any).body.properties)).toEqual([
      'amount',
      'currency',
    ]);
    for (const warning of result.warnings) expect(warning.fix.length).toBeGreaterThan(10);
  });
});

describe('importOpenApi on a projects spec modelled on an issue tracker (3.1, YAML)', () => {
  const file = join(SPECS, 'projects.openapi.yaml');

  it('takes OAuth2 client credentials with the token URL and scopes', async () => {
    const { system } = await imported(file, 'projects');
    expect(system.auth).toEqual({
      type: 'oauth2_client_credentials',
      tokenPath: 'https://auth.projects.example.com/oauth/token',
      scope: 'issues:read issues:write',
    });
  });

  it('keeps path parameter formats, allOf and a circular $ref as any value', async () => {
    const result = await imported(file, 'projects');
    const getIssue = toolNamed(result, 'get_issue');
    const input = z.fromJSONSchema(getIssue.input);
    const project = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    expect(input.safeParse({ project_id: project, issue_number: 7 }).success).toBe(true);
    expect(input.safeParse({ project_id: 'p-1', issue_number: 7 }).success).toBe(false);
    expect(input.safeParse({ project_id: project, issue_number: 0 }).success).toBe(false);
    const output = z.fromJSONSchema(getIssue.output);
    expect(output.safeParse({ title: 'Printer jams', number: 7, assignee: null }).success).toBe(
      true,
    );
    expect(output.safeParse({ number: 7 }).success).toBe(false);
    expect(warningsOf(result, 'getIssue')).toEqual(
      expect.arrayContaining([expect.stringContaining('refers to itself')]),
    );
  });

  it('shows the current state of a PATCH from the GET of the same path', async () => {
    const update = toolNamed(await imported(file, 'projects'), 'update_issue');
    expect(update.risk).toBe('write');
    expect(update.write?.currentState?.path).toBe(
      '/rest/api/3/projects/{project_id}/issues/{issue_number}',
    );
  });

  it('warns for multipart bodies, cookies, missing operationIds and undescribed parameters', async () => {
    const result = await imported(file, 'projects');
    expect(result.tools.map((tool) => tool.name)).not.toContain('add_attachment');
    expect(warningsOf(result, 'addAttachment')).toEqual(
      expect.arrayContaining([
        expect.stringContaining('multipart/form-data'),
        expect.stringContaining('"project_id" has no description'),
      ]),
    );
    expect(warningsOf(result, 'searchIssues')).toEqual(
      expect.arrayContaining([expect.stringContaining('cookie parameter "session"')]),
    );
    expect(warningsOf(result, 'POST /projects/{project_id}/issues')).toEqual(
      expect.arrayContaining([expect.stringContaining('no operationId')]),
    );
  });

  it('warns that an object query parameter and a CSV answer are not carried over', async () => {
    const result = await imported(file, 'projects');
    expect(warningsOf(result, 'exportIssues')).toEqual([
      expect.stringContaining('object query parameter "filter" is not carried over'),
      expect.stringContaining('its answer (text/csv) is not JSON'),
    ]);
    expect(Object.keys(toolNamed(result, 'export_issues').input.properties as object)).toEqual([
      'project_id',
    ]);
  });

  it('imports only the operations asked for, and names the ones it does not know', async () => {
    const only = await imported(file, 'projects', ['getIssue', 'search_issues']);
    expect(only.tools.map((tool) => tool.name)).toEqual(['search_issues', 'get_issue']);
    await expect(imported(file, 'projects', ['getIssue', 'deleteIssue'])).rejects.toThrow(
      /deleteIssue.*Its operations: searchIssues, getIssue, updateIssue, exportIssues, addAttachment/,
    );
  });
});

describe('parseSpec', () => {
  it('names the line of a YAML syntax error', async () => {
    const text = 'openapi: 3.1.0\ninfo:\n  title: Broken\n  version: [1\npaths: {}\n';
    await expect(parseSpec(text, 'broken.yaml')).rejects.toThrow(
      /^broken\.yaml:\d+:\d+: .*nothing was written/,
    );
  });

  it('names the line of a JSON syntax error', async () => {
    const text = '{\n  "openapi": "3.0.3",\n  "info": { "title": "x", }\n  "paths": {}\n}';
    const error = await parseSpec(text, 'broken.json').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as Error).message).toMatch(/^broken\.json:[34]:/);
  });

  it('refuses a Swagger 2.0 document and says how to convert it', async () => {
    await expect(parseSpec('swagger: "2.0"\ninfo: {}\n', 'old.yaml')).rejects.toThrow(
      /Swagger 2\.0 is not supported; convert it to OpenAPI 3/,
    );
  });

  it('refuses a document that breaks the OpenAPI schema', async () => {
    const text = 'openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses: {}\n';
    await expect(parseSpec(text, 'invalid.yaml')).rejects.toThrow(
      /^invalid\.yaml.*not a valid OpenAPI 3\.1/,
    );
  });
});
