import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { createDocumentClient } from '#layers/aws/clients.ts';
import { localTableNames } from '#local/emulators.ts';
import { seededRandom } from '#local/sandboxes/prng.ts';
import type { LocalMode } from '#local/start-local.ts';

/** A source's current signing secret from the local secrets file. */
export async function webhookSecret(
  local: Pick<LocalMode, 'secretsFile'>,
  source: string,
): Promise<string> {
  const file = JSON.parse(await readFile(local.secretsFile, 'utf8'));
  return file.webhooks[source].current as string;
}

/** Posts raw bytes to `/webhooks/<source>` with the given headers. */
export async function deliver(
  local: Pick<LocalMode, 'url'>,
  source: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${local.url}/webhooks/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed };
}

/** The event log as stored: id → { processedCount, processed }. */
export async function eventLog(
  local: Pick<LocalMode, 'emulators'>,
): Promise<Map<string, { processedCount: number; source: string }>> {
  const client = createDocumentClient(
    new DynamoDBClient({
      endpoint: local.emulators.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const events = new Map<string, { processedCount: number; source: string }>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: localTableNames.webhooks,
        FilterExpression: 'begins_with(pk, :event)',
        ExpressionAttributeValues: { ':event': 'event#' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      events.set(String(item.pk).slice('event#'.length), {
        processedCount: Number(item.processedCount ?? 0),
        source: String(item.source),
      });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return events;
}

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const unix = (): number => Math.floor(Date.now() / 1000);

/** A Stripe event body and its header, signed by Stripe's own test helper. */
export function stripeDelivery(secret: string, id = `evt_${randomUUID()}`, timestamp = unix()) {
  const body = JSON.stringify({
    id,
    object: 'event',
    type: 'customer.updated',
    created: timestamp,
    data: { object: { id: 'cus_123', object: 'customer' } },
  });
  const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
  return { id, body, headers: { 'stripe-signature': header } };
}

/**
 * Sends `distinct` Stripe events and `duplicates` redeliveries of some of them, in an order
 * shuffled by a fixed seed, from `senders` concurrent senders; answers the events and how many
 * deliveries got each status.
 *
 * @example
 * const { events, statuses } = await deliverWithDuplicates(local, { distinct: 140, duplicates: 60, senders: 10 });
 */
export async function deliverWithDuplicates(
  local: Pick<LocalMode, 'url' | 'secretsFile'>,
  options: { distinct: number; duplicates: number; senders: number; prefix?: string },
): Promise<{ events: ReturnType<typeof stripeDelivery>[]; statuses: Map<number, number> }> {
  const secret = await webhookSecret(local, 'stripe');
  const prefix = options.prefix ?? `evt_${randomUUID().slice(0, 8)}`;
  const events = Array.from({ length: options.distinct }, (_, index) =>
    stripeDelivery(secret, `${prefix}_${index}`),
  );
  const deliveries = [
    ...events,
    ...Array.from(
      { length: options.duplicates },
      (_, index) => events[(index * 7) % events.length] as (typeof events)[number],
    ),
  ];
  const random = seededRandom(20261123);
  for (let index = deliveries.length - 1; index > 0; index--) {
    const other = random.int(0, index);
    [deliveries[index], deliveries[other]] = [
      deliveries[other] as (typeof deliveries)[number],
      deliveries[index] as (typeof deliveries)[number],
    ];
  }
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: options.senders }, async () => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++] as (typeof deliveries)[number];
        const { status } = await deliver(local, 'stripe', delivery.body, delivery.headers);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return { events, statuses };
}
