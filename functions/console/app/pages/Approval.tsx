import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type Api, ApiError, type Confirmation } from '../api.ts';
import { Facts } from '../components/Facts.tsx';
import { OperationStatusView } from '../components/OperationStatus.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { Preview } from '../components/Preview.tsx';
import { useNow } from '../hooks.ts';
import { Link } from '../navigation.tsx';
import { paths } from '../routes.ts';
import { Problem } from './Problem.tsx';

type Load =
  | { kind: 'loading' }
  | { kind: 'loaded'; confirmation: Confirmation }
  | { kind: 'failed'; error: unknown };

/** What a decided confirmation says instead of its buttons. */
const outcome: Record<Exclude<Confirmation['status'], 'pending'>, string> = {
  confirmed: 'This write was approved. It cannot be decided again.',
  cancelled: 'This write was rejected or withdrawn. It cannot be decided again.',
  expired: 'This confirmation expired before anyone decided it. The agent must propose it again.',
};

/** Who decided a confirmation, and the reason given for a rejection. */
function DecidedBy(props: { confirmation: Confirmation }) {
  const { confirmedBy, cancelledBy, cancelReason } = props.confirmation;
  if (!confirmedBy && !cancelledBy) return null;
  return (
    <dl class="facts">
      {confirmedBy ? (
        <div>
          <dt>Approved by</dt>
          <dd>{confirmedBy}</dd>
        </div>
      ) : null}
      {cancelledBy ? (
        <div>
          <dt>Rejected or withdrawn by</dt>
          <dd>{cancelledBy}</dd>
        </div>
      ) : null}
      {cancelReason ? (
        <div>
          <dt>Reason</dt>
          <dd>
            <q class="text">{cancelReason}</q>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

/** The role that four-eyes writes need; the gateway's policy names it `approver` by default. */
const APPROVER_ROLE = 'approver';

/**
 * One confirmation, opened from the inbox or its `approveUrl`: what the write does, who asked and
 * why, and Approve or Reject (with a reason, kept in the audit trail) while it is pending. After
 * an approval it follows the operation until it ends.
 */
export function Approval(props: { api: Api; id: string }) {
  const { api, id } = props;
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [busy, setBusy] = useState<'approving' | 'rejecting' | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [operationId, setOperationId] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const dialog = useRef<HTMLDialogElement>(null);
  const now = useNow();

  const refresh = useCallback(async () => {
    try {
      const confirmation = await api.confirmation(id);
      setLoad({ kind: 'loaded', confirmation });
      if (confirmation.operationId) setOperationId(confirmation.operationId);
    } catch (error) {
      setLoad({ kind: 'failed', error });
    }
  }, [api, id]);
  useEffect(() => {
    setLoad({ kind: 'loading' });
    setOperationId(undefined);
    setNotice(undefined);
    setProblem(undefined);
    void refresh();
  }, [refresh]);

  if (load.kind === 'loading')
    return (
      <>
        <PageHeading title="Approval" />
        <p role="status">Loading…</p>
      </>
    );
  if (load.kind === 'failed') return <Problem error={load.error} title="Approval" />;
  const { confirmation } = load;
  const neededRole = confirmation.confirmBy === 'approver' ? APPROVER_ROLE : undefined;
  if (problem instanceof ApiError && problem.status === 403)
    return <Problem error={problem} title="Approval" neededRole={neededRole} />;

  const expired =
    confirmation.status === 'expired' ||
    (confirmation.status === 'pending' && Date.parse(confirmation.expiresAt) <= now);
  const decidable = confirmation.status === 'pending' && !expired && !operationId;

  const decided = async (action: () => Promise<void>) => {
    setProblem(undefined);
    try {
      await action();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(undefined);
      await refresh();
    }
  };
  const approve = () => {
    setBusy('approving');
    void decided(async () => {
      const operation = await api.approve(confirmation.id);
      setOperationId(operation.id);
      setNotice('Approved. The gateway runs the write now.');
    });
  };
  const reject = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const reason = String(new FormData(form).get('reason') ?? '').trim();
    dialog.current?.close();
    setBusy('rejecting');
    void decided(async () => {
      await api.reject(confirmation.id, reason);
      setNotice('Rejected. Your reason is kept in the audit trail.');
      form.reset();
    });
  };

  return (
    <>
      <p class="crumbs">
        <Link href={paths.approvals}>Approvals</Link>
      </p>
      <PageHeading title={`Approval: ${confirmation.tool}`}>
        {confirmation.tool}{' '}
        <span class={`badge badge-${expired ? 'expired' : confirmation.status}`}>
          {expired ? 'expired' : confirmation.status}
        </span>
      </PageHeading>
      <p class="summary text">{confirmation.summary}</p>
      <Facts confirmation={confirmation} now={now} />

      <section aria-labelledby="changes-title">
        <h2 id="changes-title">What will change</h2>
        <Preview preview={confirmation.preview} />
      </section>

      <section aria-labelledby="decision-title" class="decision">
        <h2 id="decision-title">Decision</h2>
        {notice ? (
          <p role="status" class="notice">
            {notice}
          </p>
        ) : null}
        {problem ? (
          <p role="alert" class="text error">
            {problem instanceof Error ? problem.message : 'The decision failed.'}
          </p>
        ) : null}
        {decidable ? (
          <div class="actions">
            <button type="button" class="approve" disabled={busy !== undefined} onClick={approve}>
              Approve
            </button>
            <button
              type="button"
              class="reject"
              disabled={busy !== undefined}
              onClick={() => dialog.current?.showModal()}
            >
              Reject
            </button>
          </div>
        ) : (
          <>
            <p class="outcome">
              {expired
                ? outcome.expired
                : confirmation.status === 'pending'
                  ? ''
                  : outcome[confirmation.status]}
            </p>
            <DecidedBy confirmation={confirmation} />
          </>
        )}
      </section>

      {operationId ? <OperationStatusView api={api} id={operationId} /> : null}

      <dialog ref={dialog} aria-labelledby="reject-title" class="dialog">
        <form onSubmit={reject}>
          <h2 id="reject-title">Reject this write?</h2>
          <p>Nothing is written. Say why, for the person who asked and for the audit trail.</p>
          <label for="reject-reason">Reason</label>
          <textarea id="reject-reason" name="reason" required maxLength={500} rows={3} />
          <div class="actions">
            <button type="submit" class="reject">
              Confirm rejection
            </button>
            <button type="button" class="quiet" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
