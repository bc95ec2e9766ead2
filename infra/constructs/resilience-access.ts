import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { resilienceKeys } from '../../layers/resilience/keys.ts';
import { type AnyTool, isWriteTool } from '../../layers/tools/define.ts';

/** The items of the resilience table one function may touch; everything else it may not. */
export interface ResilienceAccess {
  /** Kill switches: `read` to obey them, `write` to change them (the admin function). @default none */
  readonly switches?: 'read' | 'write';
  /** Systems whose circuit breakers and rate budgets the function keeps. @default none */
  readonly systems?: readonly string[];
  /** Counts each caller's tool calls (USER_RATE_LIMIT). @default false */
  readonly userLimits?: boolean;
  /** Systems whose breakers, rate budgets and call metrics it reads, never writes (GET /systems). @default none */
  readonly watches?: readonly string[];
  /** Tools whose cached answers (conversation prefetches included) it reads and writes. @default none */
  readonly caches?: readonly string[];
  /** Tools whose caches it invalidates. @default none */
  readonly invalidates?: readonly string[];
  /** Tools whose conversation prefetches it claims, to start them. @default none */
  readonly claims?: readonly string[];
}

type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem';

/**
 * Grants a function exactly the items `access` names in the resilience table: one statement per
 * action, each conditioned on `dynamodb:LeadingKeys` with the patterns of layers/resilience/keys.ts,
 * the module the runtime builds its keys with. CDK's `table.grant*` cannot take conditions, and no
 * Scan or Query is granted: a key condition would not bound what they read.
 *
 * @example
 * grantResilienceAccess(fn, table, { switches: 'read', systems: ['erp'], caches: ['get_product_catalog'] });
 */
export function grantResilienceAccess(
  grantee: IGrantable,
  table: Pick<Table, 'tableArn'>,
  access: ResilienceAccess,
): void {
  const { switches, breaker, rate, userLimit, cacheGeneration, cache, prefetchClaim, metrics } =
    resilienceKeys;
  const allowed: Record<ItemAction, string[]> = { GetItem: [], PutItem: [], UpdateItem: [] };
  if (access.switches) allowed.GetItem.push(switches.pattern());
  if (access.switches === 'write') allowed.UpdateItem.push(switches.pattern());
  for (const system of access.systems ?? []) {
    allowed.GetItem.push(breaker.pattern(system));
    allowed.UpdateItem.push(breaker.pattern(system), rate.pattern(system), metrics.pattern(system));
  }
  for (const system of access.watches ?? [])
    allowed.GetItem.push(breaker.pattern(system), rate.pattern(system), metrics.pattern(system));
  if (access.userLimits) allowed.UpdateItem.push(userLimit.everyOwner());
  for (const tool of access.caches ?? []) {
    allowed.GetItem.push(cacheGeneration.pattern(tool), cache.pattern(tool));
    allowed.PutItem.push(cache.pattern(tool));
  }
  for (const tool of access.invalidates ?? [])
    allowed.UpdateItem.push(cacheGeneration.pattern(tool));
  for (const tool of access.claims ?? []) allowed.PutItem.push(prefetchClaim.pattern(tool));
  for (const [action, patterns] of Object.entries(allowed)) {
    if (patterns.length === 0) continue;
    Grant.addToPrincipal({
      grantee,
      actions: [`dynamodb:${action}`],
      resourceArns: [table.tableArn],
      // ForAllValues: every partition key the request touches must match one of the patterns.
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...new Set(patterns)].sort() },
      },
    });
  }
}

/** The tools that declare `cache` (reference data). */
export const cachedTools = (tools: readonly AnyTool[]): string[] =>
  tools.filter((tool) => !isWriteTool(tool) && tool.cache).map((tool) => tool.name);

/**
 * What a function that runs `tools` for callers needs: obey the switches, keep its systems'
 * breakers and rate budgets, count callers, use the caches of its cached tools and of the
 * prefetched tool, and claim prefetches when it starts them.
 */
export function accessToRun(
  tools: readonly AnyTool[],
  options: { userLimits: boolean; prefetch?: { tool: string; starts: boolean } | undefined },
): ResilienceAccess {
  const { prefetch } = options;
  return {
    switches: 'read',
    systems: [...new Set(tools.flatMap((tool) => tool.systems))],
    userLimits: options.userLimits,
    caches: [
      ...cachedTools(tools),
      ...tools.filter((tool) => tool.name === prefetch?.tool).map((tool) => tool.name),
    ],
    claims: prefetch?.starts ? [prefetch.tool] : [],
  };
}
