import { readFile } from 'node:fs/promises';
import Stripe from 'stripe';
import type { LocalMode } from '#local/start-local.ts';
import { deliverWithDuplicates, eventLog } from '#test/helpers/webhooks.ts';
import { percentile, round } from './stats.ts';

/**
 * Webhook acknowledgement in local mode: Stripe deliveries (signed by Stripe's test helper) from
 * verification to 202, one at a time for latency, then `concurrency` senders for throughput.
 */
export async function measureWebhooks(local: LocalMode, deliveries: number, concurrency: number) {
  const file = JSON.parse(await readFile(local.secretsFile, 'utf8'));
  const secret = file.webhooks.stripe.current as string;
  let sequence = 0;
  const send = async () => {
    const id = `evt_bench_${sequence++}_${Date.now()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      id,
      object: 'event',
      type: 'customer.updated',
      created: timestamp,
      data: { object: { id: 'cus_bench', object: 'customer' } },
    });
    const started = performance.now();
    const response = await fetch(`${local.url}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({
          payload: body,
          secret,
          timestamp,
        }),
      },
      body,
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`webhook bench: ${response.status}`);
    return performance.now() - started;
  };
  const sequential: number[] = [];
  for (let index = 0; index < deliveries; index++) sequential.push(await send());
  const concurrent: number[] = [];
  const started = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < deliveries) {
        sent++;
        concurrent.push(await send());
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return [
    {
      load: 'one sender',
      deliveries,
      'ack p50 ms': round(percentile(sequential, 50)),
      'ack p99 ms': round(percentile(sequential, 99)),
      'deliveries/s': round(deliveries / (sequential.reduce((a, b) => a + b, 0) / 1000), 0),
    },
    {
      load: `${concurrency} senders`,
      deliveries,
      'ack p50 ms': round(percentile(concurrent, 50)),
      'ack p99 ms': round(percentile(concurrent, 99)),
      'deliveries/s': round(deliveries / seconds, 0),
    },
  ];
}

/**
 * The exactly-once load run: `deliveries` Stripe deliveries of which 30% are redeliveries,
 * shuffled, from `senders` concurrent senders; how long acknowledging and processing took, and
 * whether every event was processed exactly once with none lost.
 */
export async function measureExactlyOnce(local: LocalMode, deliveries: number, senders: number) {
  const distinct = Math.round(deliveries * 0.7);
  const started = performance.now();
  const { events, statuses } = await deliverWithDuplicates(local, {
    distinct,
    duplicates: deliveries - distinct,
    senders,
  });
  const acknowledged = (performance.now() - started) / 1000;
  const ids = events.map((event) => `stripe:${event.id}`);
  let log = await eventLog(local);
  const processed = () => ids.filter((id) => (log.get(id)?.processedCount ?? 0) > 0).length;
  // Waits while processing progresses; gives up after 30 s without any.
  for (let last = -1, idleSince = performance.now(); processed() < ids.length; ) {
    if (processed() > last) [last, idleSince] = [processed(), performance.now()];
    else if (performance.now() - idleSince > 30_000) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
    log = await eventLog(local);
  }
  const allProcessed = (performance.now() - started) / 1000;
  const counts = ids.map((id) => log.get(id)?.processedCount ?? 0);
  return {
    deliveries,
    senders,
    '202 accepted': statuses.get(202) ?? 0,
    '200 duplicate': statuses.get(200) ?? 0,
    'other answers': deliveries - (statuses.get(202) ?? 0) - (statuses.get(200) ?? 0),
    'processed once': counts.filter((count) => count === 1).length,
    'processed twice or more': counts.filter((count) => count > 1).length,
    lost: counts.filter((count) => count === 0).length,
    'ack s': round(acknowledged),
    'all processed s': round(allProcessed),
    'deliveries/s': round(deliveries / acknowledged, 0),
  };
}
