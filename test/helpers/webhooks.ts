import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { createDocumentClient } from '#layers/aws/clients.ts';
import { localTableNames } from '#local/emulators.ts';
import type { LocalHarness } from './local-mode.ts';

/** A source's current signing secret from the local secrets file. */
export async function webhookSecret(local: LocalHarness, source: string): Promise<string> {
  const file = JSON.parse(await readFile(local.secretsFile, 'utf8'));
  return file.webhooks[source].current as string;
}

/** Posts raw bytes to `/webhooks/<source>` with the given headers. */
export async function deliver(
  local: LocalHarness,
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
  local: LocalHarness,
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
  timeoutMs = 10_000,
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
