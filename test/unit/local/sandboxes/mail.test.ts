import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMailSandbox } from '#local/sandboxes/mail.ts';
import type { RunningSandbox } from '#local/sandboxes/server.ts';
import { call, credentials } from './support.ts';

describe('startMailSandbox', () => {
  let mail: RunningSandbox;
  let headers: Record<string, string>;
  const message = (internetMessageHeaders: { name: string; value: string }[]) => ({
    message: {
      subject: 'Your replacement',
      body: { contentType: 'Text', content: 'A new pallet jack ships today.' },
      toRecipients: [{ emailAddress: { address: 'buyer@northwind.example' } }],
      internetMessageHeaders,
    },
  });
  const send = (body: unknown) =>
    call(`${mail.url}/v1.0/users/assistant@acme.example/sendMail`, {
      method: 'POST',
      headers,
      body,
    });
  const outbox = async () => (await call(`${mail.url}/_sandbox/outbox`)).body.messages;

  beforeAll(async () => {
    mail = await startMailSandbox({ credentials: credentials.mail });
    const token = await fetch(`${mail.url}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: credentials.mail.clientId,
        client_secret: credentials.mail.clientSecret,
      }).toString(),
    });
    headers = {
      authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}`,
    };
  });
  beforeEach(() => call(`${mail.url}/_sandbox/outbox`, { method: 'DELETE' }));
  afterAll(() => mail.close());

  describe('mail.send', () => {
    it('keeps the sender, body and internet message headers of a sent message in the outbox', async () => {
      // Act
      const res = await send(
        message([
          { name: 'X-Toolgate-AI-Generated', value: 'true' },
          { name: 'x-toolgate-reference', value: 'op_1:send' },
        ]),
      );

      // Assert
      expect(res.status).toBe(202);
      expect(await outbox()).toEqual([
        expect.objectContaining({
          from: 'assistant@acme.example',
          to: ['buyer@northwind.example'],
          content: 'A new pallet jack ships today.',
          headers: { 'X-Toolgate-AI-Generated': 'true', 'x-toolgate-reference': 'op_1:send' },
        }),
      ]);
    });

    it('refuses the whole message, as Graph does, when a header name does not start with x-', async () => {
      // Act
      const res = await send(
        message([
          { name: 'X-Toolgate-AI-Generated', value: 'true' },
          { name: 'Auto-Submitted', value: 'auto-generated' },
        ]),
      );

      // Assert
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'InvalidInternetMessageHeader',
        message: expect.stringContaining("'Auto-Submitted'"),
      });
      expect(await outbox()).toEqual([]);
    });
  });
});
