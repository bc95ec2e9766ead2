import * as z from 'zod';
import type { Notification } from './notifier.ts';

const text = z.string().min(1);

/**
 * A notification as it travels on the notifications topic: the `Notification` itself, as JSON.
 * The notify function reads it back with this schema, so a message someone else published to the
 * topic is refused by field rather than half sent.
 */
export const notificationSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('approval_waiting'),
    confirmationId: text,
    tool: text,
    summary: text,
    proposedBy: text,
    confirmBy: z.enum(['self', 'approver']),
    reason: z.string().optional(),
    expiresAt: text,
    approveUrl: z.url({ protocol: /^https?$/ }),
  }),
  z.object({
    kind: z.literal('operation_failed'),
    operationId: text,
    tool: text,
    owner: text,
    detail: text,
    url: z.url({ protocol: /^https?$/ }).optional(),
  }),
]) satisfies z.ZodType<Notification>;

/**
 * Reads a notification from a topic message, naming every field that is wrong.
 *
 * @example
 * const read = readNotification(record.Sns.Message);
 * if (!read.ok) logger.warn('not a notification', { problems: read.problems });
 */
export function readNotification(
  message: string,
): { ok: true; notification: Notification } | { ok: false; problems: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return { ok: false, problems: 'the message is not JSON' };
  }
  const result = notificationSchema.safeParse(parsed);
  if (result.success) return { ok: true, notification: result.data };
  return {
    ok: false,
    problems: result.error.issues
      .map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`)
      .join('; '),
  };
}
