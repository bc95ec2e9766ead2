import { describe, expect, it } from 'vitest';
import { postWebhook } from '#layers/notifications/webhook-post.ts';
import { fakeFetch, hang } from '#test/helpers/fake-fetch.ts';

const URL = 'https://hooks.slack.com/services/T0001/B0001/s3cr3tT0k3n';

/** Replies in order, the last one again once they run out. */
const replies = (...answers: (() => Response | Promise<Response>)[]) => {
  let index = 0;
  return fakeFetch(() => (answers[Math.min(index++, answers.length - 1)] as () => Response)());
};

/** A sleep that records the waits it is asked for and returns at once. */
const recordingSleep = () => {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
};

describe('postWebhook', () => {
  it('posts the message as JSON once when the webhook accepts it', async () => {
    const fake = replies(() => new Response('ok', { status: 200 }));

    const outcome = await postWebhook(URL, { text: 'hi' }, { fetch: fake.fetch });

    expect(outcome).toEqual({ ok: true, attempts: 1, status: 200 });
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0]).toMatchObject({ url: URL, method: 'POST', body: '{"text":"hi"}' });
    expect(fake.seen[0]?.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('retries a 5xx and a network failure, then succeeds', async () => {
    const fake = replies(
      () => new Response('rollup_error', { status: 500 }),
      () => {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      },
      () => new Response(null, { status: 202 }),
    );
    const { waits, sleep } = recordingSleep();

    const outcome = await postWebhook(URL, {}, { fetch: fake.fetch, sleep, random: () => 0.5 });

    expect(outcome).toEqual({ ok: true, attempts: 3, status: 202 });
    expect(waits).toEqual([100, 200]);
  });

  it('waits as long as a 429 asks before trying again', async () => {
    const fake = replies(
      () => new Response('rate_limited', { status: 429, headers: { 'retry-after': '1' } }),
      () => new Response('ok', { status: 200 }),
    );
    const { waits, sleep } = recordingSleep();

    const outcome = await postWebhook(URL, {}, { fetch: fake.fetch, sleep, random: () => 0 });

    expect(outcome.ok).toBe(true);
    expect(waits).toEqual([1000]);
  });

  it('gives up after the attempts allowed, saying why without the URL', async () => {
    const fake = replies(() => new Response(`upstream ${URL} unavailable`, { status: 503 }));
    const { sleep } = recordingSleep();

    const outcome = await postWebhook(URL, {}, { fetch: fake.fetch, sleep, maxAttempts: 3 });

    expect(fake.seen).toHaveLength(3);
    expect(outcome).toEqual({
      ok: false,
      attempts: 3,
      status: 503,
      reason: 'status 503 (upstream [webhook URL] unavailable)',
      gone: false,
    });
    expect(JSON.stringify(outcome)).not.toContain('s3cr3tT0k3n');
  });

  it('does not retry what retrying cannot fix, and marks a removed webhook as gone', async () => {
    for (const [status, answer, gone] of [
      [400, 'invalid_payload', false],
      [403, 'invalid_token', true],
      [404, 'no_service', true],
      [410, 'channel_is_archived', true],
    ] as const) {
      const fake = replies(() => new Response(answer, { status }));

      const outcome = await postWebhook(URL, {}, { fetch: fake.fetch });

      expect(fake.seen, String(status)).toHaveLength(1);
      expect(outcome).toEqual({
        ok: false,
        attempts: 1,
        status,
        reason: `status ${status} (${answer})`,
        gone,
      });
    }
  });

  it('gives up at once when a Retry-After asks for a longer wait than allowed', async () => {
    const fake = replies(
      () => new Response('', { status: 429, headers: { 'retry-after': '3600' } }),
    );

    const outcome = await postWebhook(URL, {}, { fetch: fake.fetch, maxWaitMs: 5000 });

    expect(fake.seen).toHaveLength(1);
    expect(outcome).toMatchObject({ ok: false, status: 429 });
  });

  it('stops waiting for an answer after the timeout and counts it as a failure that may pass', async () => {
    const fake = fakeFetch(hang);
    const { sleep } = recordingSleep();

    const outcome = await postWebhook(
      URL,
      {},
      { fetch: fake.fetch, sleep, timeoutMs: 20, maxAttempts: 2 },
    );

    expect(fake.seen).toHaveLength(2);
    expect(outcome).toEqual({ ok: false, attempts: 2, reason: 'no answer in time', gone: false });
  });
});
