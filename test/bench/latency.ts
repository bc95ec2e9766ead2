import type { LocalMode } from '#local/start-local.ts';
import { percentile, round } from './stats.ts';

interface Pair {
  label: string;
  gateway: () => Promise<Response>;
  direct: () => Promise<Response>;
}

async function time(call: () => Promise<Response>): Promise<number> {
  const started = performance.now();
  const response = await call();
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`bench call failed: ${response.status}`);
  return performance.now() - started;
}

/**
 * Added latency of the gateway per read call: the same data fetched through local mode and
 * directly from the sandbox, interleaved call by call so both see the same machine noise.
 */
export async function measureAddedLatency(local: LocalMode, iterations: number) {
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

  const pairs: Pair[] = [
    {
      label: 'get_order_status (ERP, 1 upstream call)',
      gateway: () =>
        fetch(`${local.url}/tools/get_order_status`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ orderId: 'SO-100001' }),
        }),
      direct: () =>
        fetch(`${local.sandboxes.erp}/api/v1/orders/SO-100001`, {
          headers: { authorization: `Bearer ${erpToken}`, accept: 'application/json' },
        }),
    },
    {
      label: 'search_customers (CRM, 1 upstream call)',
      gateway: () =>
        fetch(`${local.url}/tools/search_customers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'C-0001', limit: 10 }),
        }),
      direct: () =>
        fetch(`${local.sandboxes.crm}/crm/v3/objects/companies/search`, {
          method: 'POST',
          headers: { authorization: `Bearer ${crmToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            query: 'C-0001',
            limit: 10,
            properties: ['name', 'domain', 'industry', 'city', 'country', 'customer_number'],
          }),
        }),
    },
  ];

  const results = [];
  for (const pair of pairs) {
    for (let warm = 0; warm < 50; warm++) {
      await time(pair.gateway);
      await time(pair.direct);
    }
    const gateway: number[] = [];
    const direct: number[] = [];
    for (let index = 0; index < iterations; index++) {
      gateway.push(await time(pair.gateway));
      direct.push(await time(pair.direct));
    }
    const g50 = percentile(gateway, 50);
    const g99 = percentile(gateway, 99);
    const d50 = percentile(direct, 50);
    const d99 = percentile(direct, 99);
    results.push({
      call: pair.label,
      iterations,
      'gateway p50 ms': round(g50),
      'direct p50 ms': round(d50),
      'added p50 ms': round(g50 - d50),
      'gateway p99 ms': round(g99),
      'direct p99 ms': round(d99),
      'added p99 ms': round(g99 - d99),
    });
  }
  return results;
}
