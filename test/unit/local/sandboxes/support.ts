import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Shared bits of the sandbox unit tests: credentials, small HTTP helpers, a webhook receiver. */
export const credentials = {
  crm: { token: 'crm-token-123' },
  erp: { clientId: 'erp-client', clientSecret: 'erp-secret-456' },
  ticketing: { username: 'api@acme.example/token', password: 'zd-789' },
  mail: { clientId: 'mail-client', clientSecret: 'mail-secret' },
  facilities: { apiKey: 'fac-key-321' },
  logistics: { username: 'reader', password: 'legacy-321' },
};

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** GETs (or sends) JSON and returns the status with the parsed body. */
export async function call<T = any>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined
      ? {}
      : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

/** Sets a sandbox's fault switches over HTTP, as the README documents. */
export const setFaults = (baseUrl: string, faults: unknown) =>
  call(`${baseUrl}/_sandbox/faults`, { method: 'PUT', body: faults });

export const resetFaults = (baseUrl: string) =>
  call(`${baseUrl}/_sandbox/faults`, { method: 'DELETE' });

/** Fetches an ERP access token with the client credentials in the form body. */
export async function erpToken(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credentials.erp.clientId,
      client_secret: credentials.erp.clientSecret,
    }).toString(),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A webhook delivery as a receiver got it: the exact body bytes and lower-cased headers. */
export interface ReceivedWebhook {
  method: string;
  /** The full URL called, as the sender signs it. */
  url: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

/**
 * A webhook receiver on a free loopback port that records each delivery and answers it with
 * `answer(delivery, index)` (200 by default), which may wait.
 */
export async function startReceiver(
  answer: (delivery: ReceivedWebhook, index: number) => number | Promise<number> = () => 200,
  path = '/webhooks/sandbox',
) {
  const received: ReceivedWebhook[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers))
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const delivery = {
      method: req.method ?? '',
      url: `${base}${req.url ?? ''}`,
      headers,
      rawBody: Buffer.concat(chunks),
    };
    received.push(delivery);
    res.writeHead(await answer(delivery, received.length - 1)).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}${path}`,
    received,
    /** Waits until `count` deliveries have arrived (3 s at most). */
    async waitFor(count: number): Promise<ReceivedWebhook[]> {
      const deadline = Date.now() + 3000;
      while (received.length < count) {
        if (Date.now() > deadline)
          throw new Error(`${received.length} of ${count} webhook deliveries arrived`);
        await sleep(10);
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The attempts `GET /_sandbox/webhooks` lists for one event, once there are `count` of them (an
 * attempt is logged after the receiver's answer, so just after the receiver saw it).
 */
export async function loggedAttempts(
  sandboxUrl: string,
  eventId: string | number,
  count: number,
): Promise<any[]> {
  for (const deadline = Date.now() + 3000; Date.now() < deadline; ) {
    const { deliveries } = (await call(`${sandboxUrl}/_sandbox/webhooks`)).body;
    const mine = deliveries.filter((entry: any) => entry.eventIds.includes(eventId));
    if (mine.length >= count) return mine;
    await sleep(10);
  }
  throw new Error(`fewer than ${count} attempts logged for event ${eventId}`);
}
