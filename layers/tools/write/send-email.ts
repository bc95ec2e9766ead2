import * as z from 'zod';
import { graphMail } from '../../systems/mail/send-mail.ts';
import { connectorOf, defineWriteTool } from '../define.ts';

/** The mailbox Toolgate sends from unless the caller names another the mail system allows. */
export const DEFAULT_SENDER = 'assistant@acme.example';

export const sendEmail = defineWriteTool({
  name: 'send_email',
  title: 'Send an email',
  description:
    'Sends a plain-text email through the company mail system, for example a follow-up or confirmation to a customer contact. Use it only when the user asked for an email to be sent. Nothing is sent until the confirmation is confirmed; while the mail system is down the email waits in the queue and goes out when it recovers.',
  risk: 'write',
  confirmBy: 'self',
  systems: ['mail'],
  redact: ['body'],
  input: z.strictObject({
    to: z
      .array(z.email().describe('Recipient address.'))
      .min(1)
      .max(10)
      .describe('Recipients (1-10 addresses).'),
    subject: z.string().trim().min(1).max(200).describe('Subject line.'),
    body: z.string().trim().min(1).max(20_000).describe('Plain-text body.'),
    from: z
      .email()
      .default(DEFAULT_SENDER)
      .describe(`Mailbox to send from. Default ${DEFAULT_SENDER}.`),
  }),
  output: z.object({
    sent: z.literal(true).describe('The mail system accepted the message.'),
    to: z.array(z.string()).describe('Recipients.'),
    reference: z.string().describe('X-Toolgate-Reference header of the message, for tracing.'),
  }),
  async preview(_ctx, input) {
    const words = input.body.split(/\s+/).length;
    return {
      summary: `Send "${input.subject}" from ${input.from} to ${input.to.join(', ')} (${words} words).`,
      changes: [
        {
          field: 'email',
          before: null,
          after: { from: input.from, to: input.to, subject: input.subject },
        },
      ],
      details: { bodyPreview: input.body.slice(0, 280) },
    };
  },
  async readiness(ctx) {
    await graphMail(connectorOf(ctx, 'mail')).ready(DEFAULT_SENDER);
  },
  steps: [
    {
      name: 'send',
      system: 'mail',
      async run(ctx, input) {
        await graphMail(connectorOf(ctx, 'mail')).send({ ...input, reference: ctx.idempotencyKey });
        return { sent: true, to: input.to, reference: ctx.idempotencyKey };
      },
    },
  ],
  result: (results) => results.send as { sent: true; to: string[]; reference: string },
});
