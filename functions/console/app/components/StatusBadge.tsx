import type { OperationStatus } from '../api.ts';

/** Words for an operation's status, as a badge shows it. */
export const statusWords: Record<OperationStatus, string> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  rolled_back: 'rolled back',
  failed: 'failed: needs a person',
};

/** An operation's status; `failed` (undoing failed too) in the alarm colour. */
export function StatusBadge(props: { status: OperationStatus }) {
  return (
    <span class={`badge badge-op-${props.status}`}>
      {statusWords[props.status] ?? props.status}
    </span>
  );
}
