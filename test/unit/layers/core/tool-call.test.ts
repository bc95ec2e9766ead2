import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { argumentRulesOf } from '#layers/argument-policy/argument-rules.ts';
import type { CallAuditor, CallEffect } from '#layers/audit/audit-policy.ts';
import type { AuditRecord } from '#layers/audit/audit-repository.ts';
import { policySchema } from '#layers/auth/policy.ts';
import {
  callTool,
  type ToolCallDeps,
  ToolNotGrantedError,
  UnknownToolError,
} from '#layers/core/tool-call.ts';
import { AuditUnavailableError, RateLimitedError } from '#layers/errors/index.ts';
import { defineReadTool, defineWriteTool } from '#layers/tools/define.ts';
import { createRegistry } from '#layers/tools/tool-registry.ts';
import type { ToolRunner } from '#layers/tools/tool-runner.ts';
import type { Confirmation } from '#layers/writes/confirmation-store.ts';
import { printedMetrics } from '#test/helpers/emf.ts';

const lookup = defineReadTool({
  name: 'lookup_thing',
  title: 'Look up a thing',
  description: 'Looks up a thing. Use it in tests.',
  risk: 'read',
  systems: ['crm'],
  redact: ['secretNote'],
  input: z.strictObject({
    id: z.string().describe('Thing id.'),
    secretNote: z.string().optional().describe('Never audited.'),
  }),
  output: z.object({ id: z.string().describe('Thing id.') }),
  run: async (_ctx, input) => ({ id: input.id }),
});

const change = defineWriteTool({
  name: 'change_thing',
  title: 'Change a thing',
  description: 'Changes a thing. Use it in tests.',
  risk: 'write',
  confirmBy: 'self',
  systems: ['crm'],
  input: z.strictObject({ id: z.string().describe('Thing id.') }),
  output: z.object({ ok: z.boolean().describe('Done.') }),
  preview: async (_ctx, input) => ({ summary: `Change ${input.id}.`, changes: [] }),
  steps: [],
  result: () => ({ ok: true }),
});

const policy = policySchema.parse({
  version: 'test-1',
  approverRole: 'approver',
  adminRole: 'admin',
  auditorRole: 'auditor',
  roles: {
    reader: { description: 'Reads things.', grants: ['lookup_thing'] },
    writer: { description: 'Changes things.', grants: ['lookup_thing', 'change_thing'] },
  },
});

/** The core over fakes: a runner that counts what reaches it, an auditor that keeps records. */
function core(options: { auditFails?: boolean; admission?: Error } = {}) {
  const records: { record: AuditRecord; effect: CallEffect }[] = [];
  const reached: string[] = [];
  const created: Confirmation[] = [];
  const auditor: CallAuditor = {
    async record(record, effect) {
      records.push({ record, effect });
      return options.auditFails && record.outcome === 'success'
        ? new AuditUnavailableError('no trail')
        : undefined;
    },
  };
  const runner = {
    async run(tool: { name: string }, input: unknown) {
      if (options.admission) throw options.admission;
      reached.push(tool.name);
      return {
        data: input,
        meta: { requestId: 'req-1', durationMs: 1, degraded: [], cache: 'none' as const },
      };
    },
    async admit() {
      if (options.admission) throw options.admission;
    },
    contextFor: (_systems: readonly string[], call: { caller: unknown }) => ({
      caller: call.caller,
    }),
  } as unknown as ToolRunner;
  const deps: ToolCallDeps = {
    registry: createRegistry([lookup, change]),
    policy,
    runner,
    auditor,
    logger: { error: () => undefined, warn: () => undefined },
    proposals: () => ({
      policyVersion: policy.version,
      ttlSeconds: 600,
      confirmations: {
        create: async (confirmation: Confirmation) => {
          created.push(confirmation);
        },
      } as never,
    }),
  };
  return { deps, records, reached, created };
}

const reader = { sub: 'ana', roles: ['reader'] };
const writer = { sub: 'wes', roles: ['writer'] };
const meta = {
  requestId: 'req-1',
  reason: 'the user asked',
  conversationId: 'conv-9',
  baseUrl: 'https://gateway.example',
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error,
  );

describe('callTool (the tool-call core)', () => {
  describe('with argument rules', () => {
    const rules = argumentRulesOf(
      [
        {
          name: 'things.cedar',
          text: [
            '@id("no-secret-things") @allows("any id but secret")',
            'forbid (principal, action == Action::"lookup_thing", resource) when { context.id == "secret" };',
            '@id("big-things-four-eyes") @needs("approver")',
            'forbid (principal, action == Action::"change_thing", resource) when { context.id like "big*" };',
          ].join('\n'),
        },
      ],
      [lookup, change],
    );

    it('refuses a read before it runs, recording the rule that refused it', async () => {
      // Arrange
      const { deps, records, reached } = core();

      // Act
      const error = await failure(
        callTool({ ...deps, argumentRules: rules }, reader, 'lookup_thing', { id: 'secret' }, meta),
      );

      // Assert
      expect(error).toMatchObject({ code: 'argument_not_allowed', statusCode: 403 });
      expect(error.message).toContain('"no-secret-things"');
      expect(error.message).toContain('any id but secret');
      expect(reached).toEqual([]);
      expect(records[0]?.record).toMatchObject({
        statusCode: 403,
        errorCode: 'argument_not_allowed',
        errorMessage: expect.stringContaining('no-secret-things'),
      });
    });

    it('runs a read the rules allow', async () => {
      // Arrange
      const { deps, reached } = core();

      // Act
      await callTool({ ...deps, argumentRules: rules }, reader, 'lookup_thing', { id: 't1' }, meta);

      // Assert
      expect(reached).toEqual(['lookup_thing']);
    });

    it('stores a write a @needs("approver") rule matches as four eyes, and others as the tool says', async () => {
      // Arrange
      const { deps, created } = core();
      const withRules = { ...deps, argumentRules: rules };

      // Act
      const big = await callTool(withRules, writer, 'change_thing', { id: 'big-1' }, meta);
      const small = await callTool(withRules, writer, 'change_thing', { id: 't1' }, meta);

      // Assert
      expect(big.kind === 'proposal' && big.confirmation.confirmBy).toBe('approver');
      expect(small.kind === 'proposal' && small.confirmation.confirmBy).toBe('self');
      expect(created.map((confirmation) => confirmation.confirmBy)).toEqual([
        'approver',
        undefined,
      ]);
    });
  });

  it('runs a read and records it once, with the input redacted', async () => {
    const { deps, records, reached } = core();

    const outcome = await callTool(
      deps,
      reader,
      'lookup_thing',
      { id: 't1', secretNote: 'pin 1234' },
      meta,
    );

    expect(outcome.kind).toBe('answer');
    expect(reached).toEqual(['lookup_thing']);
    expect(records).toHaveLength(1);
    expect(records[0]?.effect).toBe('read');
    expect(records[0]?.record).toMatchObject({
      sub: 'ana',
      tool: 'lookup_thing',
      outcome: 'success',
      statusCode: 200,
      reason: 'the user asked',
      conversationId: 'conv-9',
    });
    expect(JSON.stringify(records[0]?.record.input)).not.toContain('1234');
  });

  it('refuses an unknown name, also one from the prototype chain, without running anything', async () => {
    const { deps, records, reached } = core();

    for (const name of ['no_such_tool', 'constructor', '__proto__']) {
      expect(await failure(callTool(deps, reader, name, {}, meta))).toBeInstanceOf(
        UnknownToolError,
      );
    }

    expect(reached).toEqual([]);
    expect(records.map(({ record }) => [record.tool, record.statusCode, record.errorCode])).toEqual(
      [
        ['no_such_tool', 404, 'tool_not_found'],
        ['constructor', 404, 'tool_not_found'],
        ['__proto__', 404, 'tool_not_found'],
      ],
    );
  });

  it('refuses a tool the roles do not grant, recording the tool and why', async () => {
    const { deps, records, created } = core();

    const error = await failure(callTool(deps, reader, 'change_thing', { id: 't1' }, meta));

    expect(error).toBeInstanceOf(ToolNotGrantedError);
    expect(created).toEqual([]);
    expect(records[0]?.record).toMatchObject({
      tool: 'change_thing',
      statusCode: 403,
      errorCode: 'forbidden',
      errorMessage: error.message,
    });
  });

  it('refuses invalid input naming the field, recording no input and running nothing', async () => {
    const { deps, records, reached } = core();

    const error = await failure(callTool(deps, reader, 'lookup_thing', { id: 7, extra: 1 }, meta));

    expect(error.message).toContain('id, extra');
    expect(reached).toEqual([]);
    expect(records[0]?.record.errorCode).toBe('validation_failed');
    expect(records[0]?.record.input).toBeUndefined();
  });

  it('proposes a write without running it, and records the proposal as a write', async () => {
    const { deps, records, reached, created } = core();

    const outcome = await callTool(deps, writer, 'change_thing', { id: 't1' }, meta);

    expect(outcome.kind).toBe('proposal');
    expect(created).toHaveLength(1);
    expect(reached).toEqual([]);
    expect(records[0]).toMatchObject({ effect: 'write', record: { statusCode: 202 } });
  });

  it('answers the audit refusal instead of a success it could not record', async () => {
    const { deps } = core({ auditFails: true });

    const error = await failure(callTool(deps, writer, 'change_thing', { id: 't1' }, meta));

    expect(error).toBeInstanceOf(AuditUnavailableError);
  });

  it('keeps a refused admission as the answer and records it', async () => {
    const { deps, records, created } = core({ admission: new RateLimitedError('slow down', 5000) });

    const error = await failure(callTool(deps, writer, 'change_thing', { id: 't1' }, meta));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(created).toEqual([]);
    expect(records[0]?.record).toMatchObject({ statusCode: 429, errorCode: 'rate_limited' });
  });

  it('counts each call of a registered tool in its metrics, a refused one by error category, and no unknown name', async () => {
    const { deps } = core({ admission: new RateLimitedError('slow down', 5000) });

    const lines = await printedMetrics(async () => {
      await failure(callTool(deps, writer, 'change_thing', { id: 't1' }, meta));
      await failure(callTool(deps, reader, 'no_such_tool', {}, meta));
    });

    expect(
      lines.map((line) => [line.Tool, line.Category, line.ToolCalls, line.ToolErrors]),
    ).toEqual([
      ['change_thing', undefined, 1, undefined],
      ['change_thing', 'rate_limited', undefined, 1],
    ]);
  });
});
