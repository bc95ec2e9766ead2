import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { type Reply, type RunningSandbox, startSandbox } from './server.ts';
import { defineSystemSandbox, demoSecret } from './system-sandbox.ts';

interface SentMessage {
  id: string;
  from: string;
  to: string[];
  subject: string;
  contentType: string;
  content: string;
  headers: Record<string, string>;
  sentAt: string;
}

const graphError = (status: number, code: string, message: string): Reply => ({
  status,
  body: {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': randomUUID() },
    },
  },
});

const equal = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The mail sandbox: the Microsoft Graph v1.0 sendMail shape behind Entra ID-style OAuth2 client
 * credentials. Sent messages land in an outbox (`GET /_sandbox/outbox`) instead of the world, with
 * their internet message headers, so tests can check what was actually sent.
 */
export function startMailSandbox(options: {
  port?: number;
  host?: string;
  credentials: { clientId: string; clientSecret: string };
}): Promise<RunningSandbox> {
  const tokens = new Map<string, number>();
  const outbox: SentMessage[] = [];
  return startSandbox(
    {
      name: 'mail',
      requestIdHeader: 'request-id',
      routes: [
        {
          method: 'POST',
          path: '/oauth2/v2.0/token',
          operation: 'oauth.token',
          authenticated: false,
          handle: ({ headers, body }) => {
            const form = (body ?? {}) as Record<string, string>;
            const basic = /^Basic (.+)$/i.exec(String(headers.authorization ?? ''));
            const [id = '', secret = ''] = basic?.[1]
              ? Buffer.from(basic[1], 'base64').toString().split(':').map(decodeURIComponent)
              : [form.client_id ?? '', form.client_secret ?? ''];
            if (form.grant_type !== 'client_credentials') {
              return {
                status: 400,
                body: {
                  error: 'unsupported_grant_type',
                  error_description: 'AADSTS70003: grant_type must be client_credentials.',
                },
              };
            }
            if (
              !equal(id, options.credentials.clientId) ||
              !equal(secret, options.credentials.clientSecret)
            ) {
              return {
                status: 401,
                body: {
                  error: 'invalid_client',
                  error_description: 'AADSTS7000215: Invalid client secret provided.',
                },
              };
            }
            const token = randomBytes(24).toString('base64url');
            tokens.set(token, Date.now() + 3599_000);
            return {
              status: 200,
              body: {
                token_type: 'Bearer',
                expires_in: 3599,
                ext_expires_in: 3599,
                access_token: token,
              },
            };
          },
        },
        {
          method: 'GET',
          path: '/v1.0/users/{user}',
          operation: 'users.get',
          handle: ({ params }) => {
            const user = params.user ?? '';
            if (!EMAIL.test(user))
              return graphError(
                404,
                'Request_ResourceNotFound',
                `Resource '${user}' does not exist.`,
              );
            return {
              status: 200,
              body: {
                id: randomUUID(),
                userPrincipalName: user,
                mail: user,
                displayName: user.split('@')[0],
              },
            };
          },
        },
        {
          method: 'POST',
          path: '/v1.0/users/{user}/sendMail',
          operation: 'mail.send',
          handle: ({ params, body }) => {
            const message = (body as { message?: Record<string, unknown> })?.message;
            if (!message)
              return graphError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
            const recipients = Array.isArray(message.toRecipients) ? message.toRecipients : [];
            const to = recipients.map((recipient) =>
              String(
                (recipient as { emailAddress?: { address?: unknown } })?.emailAddress?.address ??
                  '',
              ),
            );
            if (to.length === 0 || to.some((address) => !EMAIL.test(address))) {
              return graphError(
                400,
                'ErrorInvalidRecipients',
                'At least one recipient is not valid.',
              );
            }
            if (typeof message.subject !== 'string' || message.subject.length === 0) {
              return graphError(400, 'BadRequest', 'The subject is missing.');
            }
            const content = message.body as { contentType?: string; content?: string } | undefined;
            const pairs = (
              Array.isArray(message.internetMessageHeaders) ? message.internetMessageHeaders : []
            ).map((header) => [
              String((header as { name?: unknown }).name),
              String((header as { value?: unknown }).value),
            ]);
            // As Graph does: custom headers only, the whole message refused otherwise.
            const invalid = pairs.find(([name]) => !/^x-/i.test(name ?? ''));
            if (invalid) {
              return graphError(
                400,
                'InvalidInternetMessageHeader',
                `The internet message header name '${invalid[0]}' should start with 'x-' or 'X-'.`,
              );
            }
            const headers = Object.fromEntries(pairs);
            outbox.push({
              id: randomUUID(),
              from: params.user ?? '',
              to,
              subject: message.subject,
              contentType: content?.contentType ?? 'Text',
              content: content?.content ?? '',
              headers,
              sentAt: new Date().toISOString(),
            });
            return { status: 202 };
          },
        },
      ],
      authenticate(headers) {
        const match = /^Bearer (\S+)$/i.exec(String(headers.authorization ?? ''));
        const expires = match?.[1] ? tokens.get(match[1]) : undefined;
        if (expires !== undefined && expires > Date.now()) return undefined;
        return graphError(
          401,
          'InvalidAuthenticationToken',
          match ? 'Lifetime validation failed, the token is expired.' : 'Access token is empty.',
        );
      },
      errorReply: (status, message) =>
        graphError(
          status,
          status === 404
            ? 'ResourceNotFound'
            : status === 429
              ? 'TooManyRequests'
              : status >= 500
                ? 'ServiceNotAvailable'
                : 'BadRequest',
          message,
        ),
      control(method, path) {
        if (path !== '/_sandbox/outbox') return undefined;
        if (method === 'DELETE') outbox.length = 0;
        return { status: 200, body: { messages: outbox } };
      },
    },
    options,
  );
}

/** The mail sandbox plays the registry's `mail`. */
export const mailSandbox = defineSystemSandbox({
  system: 'mail',
  label: 'Mail sandbox (Graph sendMail shape)',
  auth: 'oauth2_client_credentials',
  demoCredentials: () => ({ clientId: 'toolgate-local-mail', clientSecret: demoSecret(24) }),
  start: startMailSandbox,
});
