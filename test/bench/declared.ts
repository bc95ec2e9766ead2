import { readFile } from 'node:fs/promises';
import { createAuthenticator } from '#layers/connectors/authenticator.ts';
import type { Connector } from '#layers/connectors/connector.ts';
import { createHttpConnector } from '#layers/connectors/http-connector.ts';
import { getSystem } from '#layers/systems/registry.ts';
import { type AnyReadTool, defineReadTool, type ToolContext } from '#layers/tools/define.ts';
import { registry } from '#layers/tools/registry.ts';
import type { LocalMode } from '#local/start-local.ts';
import { percentile, round } from './stats.ts';

/**
 * Issue 15's bench: the declared (imported from OpenAPI) `get_asset` against a hand-written tool
 * with the same schemas making the same upstream call, both through one connector to local mode's
 * facilities sandbox, in interleaved rounds. The difference of the p50s is what a declared tool
 * costs (goal: at most 0.2 ms).
 */
export async function measureDeclaredTool(local: LocalMode, iterations: number) {
  const declared = registry.get('get_asset') as AnyReadTool | undefined;
  const system = getSystem('facilities');
  const baseUrl = (local.sandboxes as Record<string, string>).facilities;
  if (!declared || !system || !baseUrl)
    throw new Error('The declared facilities system and its get_asset tool are not in this build.');
  const handWritten = defineReadTool({
    name: 'get_asset_by_hand',
    title: declared.title,
    description: declared.description,
    input: declared.input,
    output: declared.output,
    risk: 'read',
    systems: ['facilities'],
    async run(ctx, input: { asset_id: string }) {
      return ctx.connectors.facilities?.request({
        operation: 'getAsset',
        method: 'GET',
        path: `/v2/assets/${encodeURIComponent(input.asset_id)}`,
        idempotent: true,
        response: declared.output,
      });
    },
  });
  const secrets = JSON.parse(await readFile(local.secretsFile, 'utf8')) as {
    systems: Record<string, Record<string, unknown>>;
  };
  const connector: Connector = createHttpConnector({
    system,
    baseUrl,
    authenticator: createAuthenticator({
      system,
      baseUrl,
      secretId: 'toolgate/facilities',
      secrets: { getJson: async () => secrets.systems.facilities ?? {} },
    }),
    timeoutMs: 5000,
    requestId: 'bench',
    logger: { debug() {}, warn() {} },
  });
  const ctx = {
    connectors: { facilities: connector },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    requestId: 'bench',
    caller: { sub: 'bench', roles: ['admin'] },
    settings: {} as ToolContext['settings'],
    signal: new AbortController().signal,
    reportDegraded() {},
    withheld: new Set<string>(),
  } as ToolContext;
  const raw = { asset_id: 'AST-102426-6' };
  const call = async (tool: AnyReadTool) => {
    const started = performance.now();
    const answer = await tool.run(ctx, tool.input.parse(raw));
    if ((answer as { asset_id?: string }).asset_id !== raw.asset_id)
      throw new Error(`${tool.name} answered another asset`);
    return performance.now() - started;
  };
  const samples = new Map<AnyReadTool, number[]>([
    [declared, []],
    [handWritten, []],
  ]);
  // Warm both (the declared tool converts its schemas on first use), then three interleaved rounds.
  for (const tool of samples.keys()) for (let index = 0; index < 20; index++) await call(tool);
  const perRound = Math.max(1, Math.round(iterations / 3));
  for (let round = 0; round < 3; round++) {
    const order = round % 2 === 0 ? [declared, handWritten] : [handWritten, declared];
    for (const tool of order)
      for (let index = 0; index < perRound; index++) samples.get(tool)?.push(await call(tool));
  }
  const row = (label: string, values: number[]) => ({
    tool: label,
    calls: values.length,
    p50Ms: round(percentile(values, 50), 3),
    p99Ms: round(percentile(values, 99), 3),
  });
  const declaredSamples = samples.get(declared) ?? [];
  const handSamples = samples.get(handWritten) ?? [];
  const addedP50Ms = round(percentile(declaredSamples, 50) - percentile(handSamples, 50), 3);
  return {
    rows: [
      row('get_asset, declared (imported from OpenAPI)', declaredSamples),
      row('get_asset, hand-written, same schemas', handSamples),
    ],
    addedP50Ms,
    met: addedP50Ms <= 0.2,
  };
}
