import * as z from 'zod';
import type { Connector } from '../../connectors/connector.ts';
import { type AiDisclosure, disclosedBody } from './disclosure.ts';

export interface MailMessage {
  from: string;
  to: readonly string[];
  subject: string;
  body: string;
  /** Sent as an internet message header, so a resend can be recognised downstream. */
  reference: string;
  /** Required: no message an agent prepared goes out without saying so. */
  disclosure: AiDisclosure;
}

/**
 * Mail through a Microsoft Graph-shaped API (`POST /v1.0/users/{from}/sendMail`, 202 without a
 * body). Graph has no idempotency key; the saga step's idempotency guards against a double send.
 * Every message carries its AI disclosure: the footer line in the body and the header.
 *
 * @example
 * await graphMail(mail).send({ from, to: ['a@b.c'], subject, body, reference: ctx.idempotencyKey, disclosure });
 */
export function graphMail(mail: Connector) {
  return {
    /** Cheap call that proves the mail system answers and accepts the gateway's credentials. */
    async ready(from: string): Promise<void> {
      await mail.request({
        operation: 'users.get',
        path: `/v1.0/users/${encodeURIComponent(from)}`,
        response: z.object({ id: z.string() }).passthrough(),
      });
    },
    async send(message: MailMessage): Promise<void> {
      await mail.request({
        operation: 'mail.send',
        method: 'POST',
        path: `/v1.0/users/${encodeURIComponent(message.from)}/sendMail`,
        body: {
          message: {
            subject: message.subject,
            body: { contentType: 'Text', content: disclosedBody(message.body, message.disclosure) },
            toRecipients: message.to.map((address) => ({ emailAddress: { address } })),
            internetMessageHeaders: [
              ...Object.entries(message.disclosure.headers).map(([name, value]) => ({
                name,
                value,
              })),
              { name: 'X-Toolgate-Reference', value: message.reference },
            ],
          },
          saveToSentItems: true,
        },
        response: z.unknown(),
      });
    },
  };
}
