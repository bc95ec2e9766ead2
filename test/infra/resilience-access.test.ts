import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { tools } from '#layers/tools/registry.ts';
import { templateWithNested } from '#test/helpers/cdk-app.ts';

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** What a function may do in the resilience table: action → the LeadingKeys patterns it may use. */
type Access = Record<string, string[]>;

describe('resilience table access', () => {
  let api: Template;

  beforeAll(() => {
    // Grants do not depend on the bundles: skipping esbuild keeps this synth to seconds.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = buildApp(app, 'dev', () => undefined);
    api = templateWithNested(stacks.api);
  }, 300_000);

  /** The function whose description is `description`, or starts with it and goes on after a `,` or `:`. */
  const functionId = (description: string) => {
    const functions = api.findResources('AWS::Lambda::Function');
    const ids = Object.keys(functions).filter((id) => {
      const actual = String(functions[id]?.Properties.Description);
      const rest = actual.slice(description.length);
      return actual.startsWith(description) && (rest === '' || /^[,:]? /.test(rest));
    });
    expect(ids, description).toHaveLength(1);
    return ids[0] as string;
  };

  const resilienceStatements = (fnId: string): Statement[] => {
    const fn = api.findResources('AWS::Lambda::Function')[fnId];
    const role = fn?.Properties.Role['Fn::GetAtt'][0];
    return Object.values(api.findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => JSON.stringify(statement.Resource).includes('ResilienceTable'));
  };

  /** Action → sorted patterns; every statement on the table must carry a LeadingKeys condition. */
  const accessOf = (description: string): Access => {
    const access: Access = {};
    for (const statement of resilienceStatements(functionId(description))) {
      const keys = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      expect(keys, `${description}: ${JSON.stringify(statement)}`).toBeDefined();
      expect(Object.keys(statement.Condition ?? {})).toEqual(['ForAllValues:StringLike']);
      for (const action of [statement.Action].flat())
        access[action] = [...(access[action] ?? []), ...[keys ?? []].flat()].sort();
    }
    return access;
  };

  const counters = (systems: readonly string[]) => ({
    'dynamodb:GetItem': systems.map((system) => `breaker#${system}`),
    'dynamodb:UpdateItem': [
      ...systems.flatMap((system) => [
        `breaker#${system}`,
        `rate#${system}#*`,
        `metrics#${system}#*`,
      ]),
      'user#*',
    ],
  });
  const sorted = (access: Access) =>
    Object.fromEntries(Object.entries(access).map(([action, keys]) => [action, [...keys].sort()]));

  it('lets the reference-data tool use its own cache, its systems’ counters and read the switches', () => {
    const { 'dynamodb:GetItem': get, 'dynamodb:UpdateItem': update } = counters(['erp']);

    expect(accessOf('POST /tools/get_product_catalog')).toEqual(
      sorted({
        'dynamodb:GetItem': [
          ...get,
          'switches',
          'cachegen#get_product_catalog',
          'cache#get_product_catalog#*',
        ],
        'dynamodb:PutItem': ['cache#get_product_catalog#*'],
        'dynamodb:UpdateItem': update,
      }),
    );
  });

  it('lets a tool that starts prefetches only claim them, never read a cached or prefetched answer', () => {
    const { 'dynamodb:GetItem': get, 'dynamodb:UpdateItem': update } = counters(['crm']);

    expect(accessOf('POST /tools/get_customer')).toEqual(
      sorted({
        'dynamodb:GetItem': [...get, 'switches'],
        'dynamodb:PutItem': ['claim#get_customer_context#*'],
        'dynamodb:UpdateItem': update,
      }),
    );
  });

  it('lets only the prefetched tool and the prefetch function read and write the prefetched answers', () => {
    const systems = ['crm', 'erp', 'ticketing'];
    const { 'dynamodb:GetItem': get, 'dynamodb:UpdateItem': update } = counters(systems);
    const prefetched = sorted({
      'dynamodb:GetItem': [
        ...get,
        'switches',
        'cachegen#get_customer_context',
        'cache#get_customer_context#*',
      ],
      'dynamodb:PutItem': ['cache#get_customer_context#*'],
      'dynamodb:UpdateItem': update,
    });

    expect(accessOf('POST /tools/get_customer_context')).toEqual(prefetched);
    expect(
      accessOf('Conversation-start prefetch of get_customer_context (prefetch queue)'),
    ).toEqual(prefetched);
  });

  it("names only the function's own tool in the cache keys of every tool function", () => {
    for (const tool of tools) {
      const access = accessOf(`POST /tools/${tool.name}`);
      const keys = Object.values(access).flat();
      const caches = keys.filter((key) => /^cache(gen)?#/.test(key));
      for (const key of caches) expect(key, tool.name).toMatch(new RegExp(`#${tool.name}(#|$)`));
      for (const key of keys.filter((key) => key.startsWith('claim#')))
        expect(access['dynamodb:GetItem'] ?? [], tool.name).not.toContain(key);
      expect(access['dynamodb:GetItem'], tool.name).toContain('switches');
      expect(access['dynamodb:UpdateItem'], tool.name).not.toContain('switches');
      const counted = keys.filter((key) => /^(breaker|rate)#/.test(key));
      for (const key of counted)
        expect(tool.systems, `${tool.name}: ${key}`).toContain(key.split('#')[1]);
    }
  });

  it('lets the admin function write the switches and invalidate cached tools, nothing else', () => {
    const cached = tools.filter((tool) => 'cache' in tool && tool.cache).map((tool) => tool.name);
    expect(cached).toEqual(['get_product_catalog']);

    expect(accessOf('GET /admin/switches')).toEqual(
      sorted({
        'dynamodb:GetItem': ['switches'],
        'dynamodb:UpdateItem': ['switches', ...cached.map((tool) => `cachegen#${tool}`)],
      }),
    );
  });

  it('lets GET /systems only read the switches and every system’s breaker, budget and call figures', () => {
    const systemIds = [...new Set(tools.flatMap((tool) => tool.systems))].sort();
    expect(systemIds).toEqual(expect.arrayContaining(['crm', 'erp', 'mail', 'ticketing']));

    const access = accessOf('GET /systems');

    expect(Object.keys(access)).toEqual(['dynamodb:GetItem']);
    expect(access['dynamodb:GetItem']).toEqual(
      expect.arrayContaining([
        'switches',
        ...systemIds.flatMap((system) => [
          `breaker#${system}`,
          `rate#${system}#*`,
          `metrics#${system}#*`,
        ]),
      ]),
    );
    expect(
      access['dynamodb:GetItem']?.filter((key) => /^(cache|cachegen|claim|user)#/.test(key)),
    ).toEqual([]);
  });

  it('lets the webhook worker only bump the generations of the caches events make stale', () => {
    expect(accessOf('Webhook events queue worker')).toEqual({
      'dynamodb:UpdateItem': ['cachegen#get_customer_context', 'cachegen#get_product_catalog'],
    });
  });

  it("lets each saga step use only its own systems' breakers and rate budgets", () => {
    for (const tool of tools.filter((candidate) => candidate.risk === 'write')) {
      const { 'dynamodb:UpdateItem': update, 'dynamodb:GetItem': get } = counters(tool.systems);
      expect(accessOf(`Saga steps of ${tool.name}`), tool.name).toEqual(
        sorted({
          'dynamodb:GetItem': get,
          'dynamodb:UpdateItem': update.filter((key) => key !== 'user#*'),
        }),
      );
    }
  });

  it('conditions every grant on the resilience table by its keys, and grants no Scan or Query', () => {
    const functions = Object.keys(api.findResources('AWS::Lambda::Function'));
    const statements = functions.flatMap((id) => resilienceStatements(id));
    expect(statements.length).toBeGreaterThan(functions.length / 2);
    for (const statement of statements) {
      expect(statement.Condition, JSON.stringify(statement)).toHaveProperty([
        'ForAllValues:StringLike',
        'dynamodb:LeadingKeys',
      ]);
      for (const action of [statement.Action].flat())
        expect(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']).toContain(action);
    }
  });
});
