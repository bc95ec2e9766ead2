import type { LocalHarness } from './local-mode.ts';

/** Polls GET /operations/{id} until the operation leaves queued/running (or `until` holds). */
export async function waitForOperation(
  local: LocalHarness,
  operationId: string,
  as: { sub: string; roles: string[] },
  options: { timeoutMs?: number; until?: (operation: any) => boolean } = {},
): Promise<any> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const done =
    options.until ?? ((operation: any) => !['queued', 'running'].includes(operation.status));
  let last: any;
  while (Date.now() < deadline) {
    const res = await local.call('GET', `/operations/${operationId}`, { as });
    last = res.body.operation;
    if (res.status === 200 && done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`operation ${operationId} did not finish: ${JSON.stringify(last)}`);
}

/** Proposes a write and confirms it as `confirmer` (default: the proposer); returns the operation id. */
export async function proposeAndConfirm(
  local: LocalHarness,
  tool: string,
  body: unknown,
  proposer: { sub: string; roles: string[] },
  confirmer = proposer,
): Promise<{ confirmationId: string; operationId: string }> {
  const proposal = await local.call('POST', `/tools/${tool}`, { as: proposer, body });
  if (proposal.status !== 202)
    throw new Error(`proposal failed: ${proposal.status} ${JSON.stringify(proposal.body)}`);
  const confirmationId = proposal.body.confirmation.id as string;
  const confirmed = await local.call('POST', `/confirmations/${confirmationId}`, {
    person: true,
    as: confirmer,
  });
  if (confirmed.status !== 202)
    throw new Error(`confirmation failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return { confirmationId, operationId: confirmed.body.operation.id as string };
}

/** The calls a sandbox saw, for an operation name. */
export async function sandboxCalls(
  baseUrl: string,
  operation: string,
): Promise<{ requestId: string | null; status: number }[]> {
  const seen = (await (await fetch(`${baseUrl}/_sandbox/requests`)).json()) as {
    requests: { operation: string; requestId: string | null; status: number }[];
  };
  return seen.requests.filter((call) => call.operation === operation);
}

/** Every request a sandbox has received since it started, whatever the operation. */
export async function sandboxRequestCount(baseUrl: string): Promise<number> {
  const seen = (await (await fetch(`${baseUrl}/_sandbox/requests`)).json()) as {
    counts: Record<string, number>;
  };
  return Object.values(seen.counts).reduce((sum, count) => sum + count, 0);
}
