import type * as z from 'zod';
import type { mailEnvSchema } from '../../config/env.ts';

/** A deployment's mail settings, from its environment (MAIL_*). */
export interface MailSettings {
  /** The gateway's own mailbox: the default sender, always allowed. */
  sender: string;
  /** Further senders every caller may use. */
  allowedSenders: readonly string[];
  /** Further senders per role. */
  roleSenders: Readonly<Record<string, readonly string[]>>;
  /** Line appended to every message, saying an AI assistant prepared it. */
  aiFooter: string;
}

/**
 * The mail settings of a parsed environment.
 *
 * @example
 * const mail = mailSettings(parseEnv(process.env));
 */
export function mailSettings(env: z.output<typeof mailEnvSchema>): MailSettings {
  return {
    sender: env.MAIL_SENDER,
    allowedSenders: env.MAIL_ALLOWED_SENDERS,
    roleSenders: env.MAIL_ROLE_SENDERS,
    aiFooter: env.MAIL_AI_FOOTER,
  };
}
