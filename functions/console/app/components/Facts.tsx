import type { Confirmation } from '../api.ts';
import { localTime, timeLeft } from '../time.ts';

const deciders: Record<string, string> = {
  self: 'the person who asked for it',
  approver: 'an approver other than the proposer (four eyes)',
};

/** Who proposed a write, why, in which conversation, who decides and how long is left. */
export function Facts(props: { confirmation: Confirmation; now: number }) {
  const { confirmation, now } = props;
  return (
    <dl class="facts">
      <div>
        <dt>Proposed by</dt>
        <dd>{confirmation.proposedBy}</dd>
      </div>
      <div>
        <dt>Agent's reason</dt>
        <dd>
          {confirmation.reason ? (
            <q class="text">{confirmation.reason}</q>
          ) : (
            <span class="none">none given</span>
          )}
        </dd>
      </div>
      <div>
        <dt>Conversation</dt>
        <dd>
          {confirmation.conversationId ? (
            <code>{confirmation.conversationId}</code>
          ) : (
            <span class="none">none</span>
          )}
        </dd>
      </div>
      {confirmation.confirmBy ? (
        <div>
          <dt>Decided by</dt>
          <dd>{deciders[confirmation.confirmBy] ?? confirmation.confirmBy}</dd>
        </div>
      ) : null}
      <div>
        <dt>{confirmation.status === 'pending' ? 'Time left' : 'Expiry'}</dt>
        <dd>
          <time dateTime={confirmation.expiresAt} title={localTime(confirmation.expiresAt)}>
            {confirmation.status === 'pending'
              ? timeLeft(confirmation.expiresAt, now)
              : localTime(confirmation.expiresAt)}
          </time>
        </dd>
      </div>
      <div>
        <dt>Confirmation</dt>
        <dd>
          <code>{confirmation.id}</code>
        </dd>
      </div>
    </dl>
  );
}
