/**
 * Telling people that something waits for them. The write path calls a `Notifier` when a write
 * waits for a person (a person-confirmed or four-eyes proposal) and when an operation ends
 * `failed` (compensation failed: a human must look). Delivery (SNS on AWS, Slack and Microsoft
 * Teams incoming webhooks, the local chat sandbox) is the notifier's business, never the caller's:
 * a notification that cannot be sent is logged, and the write goes on.
 */
export type Notification =
  | {
      readonly kind: 'approval_waiting';
      readonly confirmationId: string;
      readonly tool: string;
      /** Human-readable summary of the write (untrusted text: it comes from an agent's input). */
      readonly summary: string;
      readonly proposedBy: string;
      /** `self`: the proposer confirms in the console; `approver`: someone with the approver role. */
      readonly confirmBy: 'self' | 'approver';
      readonly reason?: string | undefined;
      readonly expiresAt: string;
      /** The console page of the confirmation. */
      readonly approveUrl: string;
    }
  | {
      readonly kind: 'operation_failed';
      readonly operationId: string;
      readonly tool: string;
      readonly owner: string;
      /** What went wrong, in plain language (no secrets, no upstream bodies). */
      readonly detail: string;
      /** The console page of the operation, when the console has one. */
      readonly url?: string | undefined;
    };

export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

/** A notifier that tells nobody: for functions and deployments without notifications. */
export const silentNotifier: Notifier = { notify: async () => undefined };
