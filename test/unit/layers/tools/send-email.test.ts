import { describe, expect, it } from 'vitest';
import type { Connector } from '#layers/connectors/connector.ts';
import { ForbiddenError } from '#layers/errors/index.ts';
import type { MailSettings } from '#layers/systems/mail/mail-settings.ts';
import type { StepContext } from '#layers/tools/define.ts';
import { sendEmail } from '#layers/tools/write/send-email.ts';

const settings: MailSettings = {
  sender: 'assistant@acme.example',
  allowedSenders: [],
  roleSenders: { sales: ['sales@acme.example'] },
  aiFooter: 'Prepared with an AI assistant.',
};

/** A mail connector that records what would be sent. */
function recordingMail() {
  const requests: { operation: string; path: string; body?: unknown }[] = [];
  const connector: Connector = {
    systemId: 'mail',
    displayName: 'Mail',
    request: async (request) => {
      requests.push({ operation: request.operation, path: request.path, body: request.body });
      return request.response.parse(undefined);
    },
    paginate: async () => [],
  };
  return { connector, requests };
}

function stepContext(mail: Connector, roles: string[], mailSettings: MailSettings): StepContext {
  return {
    connectors: { mail },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    requestId: 'op_1:send:run',
    caller: { sub: 'sam', roles },
    settings: { mail: mailSettings },
    signal: new AbortController().signal,
    withheld: new Set(),
    reportDegraded() {},
    operationId: 'op_1',
    idempotencyKey: 'op_1:send',
    results: {},
  };
}

const email = {
  to: ['buyer@northwind.example'],
  subject: 'Offer',
  body: 'Here is the offer.',
  from: 'sales@acme.example',
};
const send = (ctx: StepContext, input: typeof email) => {
  const step = sendEmail.steps.find((candidate) => candidate.name === 'send');
  if (!step) throw new Error('send_email has no send step');
  return step.run(ctx, input);
};

describe('send_email', () => {
  it('refuses at run time a sender the deployment no longer allows, and sends nothing', async () => {
    // Arrange: allowed to sales when proposed, no longer when the saga runs
    const { connector, requests } = recordingMail();
    const now = { ...settings, roleSenders: {} };

    // Act
    const running = send(stepContext(connector, ['sales'], now), email);

    // Assert
    await expect(running).rejects.toBeInstanceOf(ForbiddenError);
    await expect(running).rejects.toThrow(/only as assistant@acme\.example/);
    expect(requests).toEqual([]);
  });

  it('sends as the allowed sender with the disclosure header and footer line', async () => {
    // Arrange
    const { connector, requests } = recordingMail();

    // Act
    const result = await send(stepContext(connector, ['sales'], settings), {
      ...email,
      from: 'Sales@Acme.example',
    });

    // Assert
    expect(result).toMatchObject({ from: 'sales@acme.example' });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.path).toBe('/v1.0/users/sales%40acme.example/sendMail');
    const sent = requests[0]?.body as
      | { message: { body: { content: string }; internetMessageHeaders: unknown[] } }
      | undefined;
    const message = sent?.message;
    expect(message?.body.content).toBe('Here is the offer.\n\n---\nPrepared with an AI assistant.');
    expect(message?.internetMessageHeaders).toEqual([
      { name: 'X-Toolgate-AI-Generated', value: 'true' },
      { name: 'X-Toolgate-Reference', value: 'op_1:send' },
    ]);
  });

  it("names the caller's allowed senders when the proposal asks for another", async () => {
    // Arrange
    const { connector } = recordingMail();

    // Act
    const proposing = sendEmail.preview(stepContext(connector, ['support'], settings), {
      ...email,
      from: 'ceo@acme.example',
    });

    // Assert
    await expect(proposing).rejects.toThrow(
      'send_email may not send as ceo@acme.example: this deployment lets you send only as assistant@acme.example.',
    );
  });
});
