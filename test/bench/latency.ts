import type { LocalMode } from '#local/start-local.ts';
import { startFloorProxy } from './floor.ts';
import { judge } from './goals.ts';
import { percentile, round } from './stats.ts';

interface Pair {
  label: string;
  gateway: () => Promise<Response>;
  direct: () => Promise<Response>;
  /** The same direct call through the floor proxy. */
  floor: () => Promise<Response>;
}

async function time(call: () => Promise<Response>): Promise<number> {
  const started = performance.now();
  const response = await call();
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`bench call failed: ${response.status}`);
  return performance.now() - started;
}

/**
 * Added latency of the gateway per read call: the same data fetched through local mode, through
 * the floor proxy and directly from the sandbox; what the gateway adds over what the floor adds
 * is issue 14's goal (p50 at most 1 ms more, p99 at most 5 ms more).
 */
export async function measureAddedLatency(local: LocalMode, iterations: number) {
  const floors = {
    erp: await startFloorProxy(local.sandboxes.erp),
    crm: await startFloorProxy(local.sandboxes.crm),
  };
  try {
    return await measureWithFloors(local, iterations, floors);
  } finally {
    await floors.erp.close();
    await floors.crm.close();
  }
}

/** Credentials for calling the ERP and CRM sandboxes directly, as the gateway does. */
export async function directCredentials(local: LocalMode) {
  const token = await local.issuer.issue({
    sub: 'bench',
    roles: ['admin'],
    expiresInSeconds: 3600,
  });
  const secrets = JSON.parse(
    await (await import('node:fs/promises')).readFile(local.secretsFile, 'utf8'),
  );
  const erpClient = secrets.systems.erp as { clientId: string; clientSecret: string };
  const tokenResponse = await fetch(`${local.sandboxes.erp}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${erpClient.clientId}:${erpClient.clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  const erpToken = ((await tokenResponse.json()) as { access_token: string }).access_token;
  const crmToken = (secrets.systems.crm as { token: string }).token;
  return { token, erpToken, crmToken };
}

async function measureWithFloors(
  local: LocalMode,
  iterations: number,
  floors: { erp: { url: string }; crm: { url: string } },
) {
  const { token, erpToken, crmToken } = await directCredentials(local);
  const erpOrder = (base: string) => () =>
    fetch(`${base}/api/v1/orders/SO-100001`, {
      headers: { authorization: `Bearer ${erpToken}`, accept: 'application/json' },
    });
  const crmSearch = (base: string) => () =>
    fetch(`${base}/crm/v3/objects/companies/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${crmToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'C-0001',
        limit: 10,
        properties: ['name', 'domain', 'industry', 'city', 'country', 'customer_number'],
      }),
    });
  const pairs: Pair[] = [
    {
      label: 'get_order_status (ERP, 1 upstream call)',
      gateway: () =>
        fetch(`${local.url}/tools/get_order_status`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ orderId: 'SO-100001' }),
        }),
      direct: erpOrder(local.sandboxes.erp),
      floor: erpOrder(floors.erp.url),
    },
    {
      label: 'search_customers (CRM, 1 upstream call)',
      gateway: () =>
        fetch(`${local.url}/tools/search_customers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'C-0001', limit: 10 }),
        }),
      direct: crmSearch(local.sandboxes.crm),
      floor: crmSearch(floors.crm.url),
    },
  ];

  const results = [];
  for (const pair of pairs) {
    for (let warm = 0; warm < 50; warm++) {
      await time(pair.gateway);
      await time(pair.floor);
      await time(pair.direct);
    }
    const gateway: number[] = [];
    const floor: number[] = [];
    const direct: number[] = [];
    // Interleaved call by call, so all three see the same machine noise.
    for (let index = 0; index < iterations; index++) {
      gateway.push(await time(pair.gateway));
      floor.push(await time(pair.floor));
      direct.push(await time(pair.direct));
    }
    const added = (samples: number[], p: number) => percentile(samples, p) - percentile(direct, p);
    const over50 = added(gateway, 50) - added(floor, 50);
    const over99 = added(gateway, 99) - added(floor, 99);
    results.push({
      call: pair.label,
      iterations,
      'direct p50 ms': round(percentile(direct, 50)),
      'added p50 ms': round(added(gateway, 50)),
      'floor added p50 ms': round(added(floor, 50)),
      'over floor p50 ms (goal <= 1)': judge(
        `${pair.label}: added p50 over the floor proxy's, ms`,
        over50,
        '<=',
        1,
      ),
      'added p99 ms': round(added(gateway, 99)),
      'floor added p99 ms': round(added(floor, 99)),
      'over floor p99 ms (goal <= 5)': judge(
        `${pair.label}: added p99 over the floor proxy's, ms`,
        over99,
        '<=',
        5,
      ),
    });
  }
  return results;
}
