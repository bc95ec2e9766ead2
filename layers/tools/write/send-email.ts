import * as z from 'zod';
import { customerIdSchema } from '../../model/customer.ts';
import { crmCustomers } from '../../systems/crm/objects.ts';
import { AI_DISCLOSURE_HEADER, aiDisclosure } from '../../systems/mail/disclosure.ts';
import { graphMail } from '../../systems/mail/send-mail.ts';
import { senderFor } from '../../systems/mail/senders.ts';
import { connectorOf, defineWriteTool } from '../define.ts';

const sent = z.object({
  sent: z.literal(true).describe('The mail system accepted the message.'),
  from: z.string().describe('Mailbox the message was sent from.'),
  to: z.array(z.string()).describe('Recipients.'),
  reference: z.string().describe('X-Toolgate-Reference header of the message, for tracing.'),
});

export const sendEmail = defineWriteTool({
  name: 'send_email',
  title: 'Send an email',
  description: `Sends a plain-text email through the company mail system, for example a follow-up or confirmation to a customer contact. Use it only when the user asked for an email to be sent. Every email says that an AI assistant prepared it (a footer line and an ${AI_DISCLOSURE_HEADER} header). Nothing is sent until the confirmation is confirmed; while the mail system is down the email waits in the queue and goes out when it recovers.`,
  risk: 'write',
  confirmBy: 'self',
  // The CRM is read only for argument rules on recipients (infra/policy/email.cedar).
  systems: ['mail', 'crm'],
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
      .optional()
      .describe(
        "Mailbox to send from. Leave it out to send from the gateway's own mailbox; other senders only where the deployment allows them for your role (a 403 names them).",
      ),
    customerId: customerIdSchema
      .optional()
      .describe(
        "The customer the email is about, e.g. C-00021: roles other than sales may write only to that customer's CRM contacts.",
      ),
  }),
  facts: {
    recipients: {
      type: 'Set<String>',
      description: 'The `to` addresses in lower case.',
      value: ({ input }) => input.to.map((address) => address.toLowerCase()),
    },
    contactEmails: {
      type: 'Set<String>',
      description:
        'The email addresses of the CRM contacts of the customer named by customerId, in lower case (one CRM read); none without customerId.',
      value: async ({ ctx, input }) => {
        if (!input.customerId) return [];
        const customer = await crmCustomers(connectorOf(ctx, 'crm')).get(input.customerId);
        return customer.contacts.flatMap((contact) =>
          contact.email ? [contact.email.toLowerCase()] : [],
        );
      },
    },
  },
  output: sent,
  async preview(ctx, input) {
    const from = senderFor(ctx.settings.mail, ctx.caller.roles, input.from);
    const disclosure = aiDisclosure(ctx.settings.mail.aiFooter);
    const words = input.body.split(/\s+/).length;
    return {
      summary: `Send "${input.subject}" from ${from} to ${input.to.join(', ')} (${words} words), marked as prepared by an AI assistant.`,
      changes: [
        {
          field: 'email',
          before: null,
          after: {
            from,
            to: input.to,
            subject: input.subject,
            headers: disclosure.headers,
            footer: disclosure.footer,
          },
        },
      ],
      details: { bodyPreview: input.body.slice(0, 280) },
    };
  },
  async readiness(ctx) {
    await graphMail(connectorOf(ctx, 'mail')).ready(ctx.settings.mail.sender);
  },
  steps: [
    {
      name: 'send',
      system: 'mail',
      async run(ctx, input) {
        // Checked again here: the senders a deployment allows may have changed since the proposal.
        const from = senderFor(ctx.settings.mail, ctx.caller.roles, input.from);
        await graphMail(connectorOf(ctx, 'mail')).send({
          ...input,
          from,
          reference: ctx.idempotencyKey,
          disclosure: aiDisclosure(ctx.settings.mail.aiFooter),
        });
        return { sent: true, from, to: input.to, reference: ctx.idempotencyKey };
      },
    },
  ],
  result: (results) => sent.parse(results.send),
});
