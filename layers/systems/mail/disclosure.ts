/**
 * Internet message header on every message an agent's write sends. Graph takes custom headers
 * only when their names start with `x-`.
 */
export const AI_DISCLOSURE_HEADER = 'X-Toolgate-AI-Generated';

/** What tells a recipient that an AI assistant prepared the message: a header and a footer line. */
export interface AiDisclosure {
  headers: Readonly<Record<string, string>>;
  footer: string;
}

/**
 * The disclosure for a footer line; the preview shows it and the mail adapter sends it, from this
 * one function, so what a person confirms is what goes out.
 *
 * @example
 * const disclosure = aiDisclosure('This message was prepared with the help of an AI assistant.');
 */
export function aiDisclosure(footer: string): AiDisclosure {
  return { headers: { [AI_DISCLOSURE_HEADER]: 'true' }, footer };
}

/** The body as sent: the text, a blank line, a rule, and the disclosure's footer line. */
export function disclosedBody(body: string, disclosure: AiDisclosure): string {
  return `${body}\n\n---\n${disclosure.footer}`;
}
