import { ForbiddenError } from '../../errors/index.ts';
import type { MailSettings } from './mail-settings.ts';

/**
 * The mailboxes a caller with these roles may send from: the gateway's own first, then those
 * allowed to everyone, then those of the caller's roles.
 *
 * @example
 * sendersFor(settings, ['sales']); // ['assistant@acme.example', 'sales@acme.example']
 */
export function sendersFor(settings: MailSettings, roles: readonly string[]): string[] {
  const byRole = roles.flatMap((role) =>
    Object.hasOwn(settings.roleSenders, role) ? (settings.roleSenders[role] ?? []) : [],
  );
  return [...new Set([settings.sender, ...settings.allowedSenders, ...byRole])];
}

/**
 * The mailbox a message goes out from: the one asked for when this caller may use it, else the
 * gateway's own when none was asked for. Any other is refused with the senders the caller may use,
 * so an agent cannot send mail as whoever it names.
 *
 * @example
 * senderFor(settings, ['support'], 'ceo@acme.example'); // throws a 403 naming the allowed senders
 */
export function senderFor(
  settings: MailSettings,
  roles: readonly string[],
  requested: string | undefined,
): string {
  if (requested === undefined) return settings.sender;
  const allowed = sendersFor(settings, roles);
  const match = allowed.find((candidate) => candidate === requested.toLowerCase());
  if (match) return match;
  const list = allowed.join(', ');
  throw new ForbiddenError(
    `send_email may not send as ${requested}: this deployment lets you send only as ${list}. Leave "from" out to send as ${settings.sender}, or use one of those.`,
    { issues: [{ path: 'from', message: `Not an allowed sender; allowed: ${list}.` }] },
  );
}
