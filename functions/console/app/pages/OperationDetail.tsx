import { useEffect, useState } from 'preact/hooks';
import { type Api, finished, type Operation } from '../api.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { Value } from '../components/Preview.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { Table, Time } from '../components/Table.tsx';
import { Link } from '../navigation.tsx';
import { paths } from '../routes.ts';
import { Problem } from './Problem.tsx';

/** How often an operation that has not finished is asked for again. */
const POLL_MS = 2000;

/** What a step's status means for the business system, in words. */
export const stepWords: Readonly<Record<string, string>> = {
  pending: 'not started',
  running: 'running',
  succeeded: 'done',
  failed: 'failed',
  compensating: 'being undone',
  compensated: 'done, then undone',
  compensation_failed: 'done; undoing it failed',
  outcome_unknown: 'timed out: may or may not have been applied',
};

const explained: Record<Operation['status'], string> = {
  queued: 'Queued: it starts as soon as its systems can take it.',
  running: 'Running.',
  succeeded: 'Succeeded: every step is done.',
  rolled_back: 'Rolled back: a step failed, and the steps done before it were undone.',
  failed:
    'Failed: a step failed and undoing the steps before it failed too. The steps marked “undoing it failed” are still in the business system: a person must undo them there.',
};

type Load =
  | { kind: 'loading' }
  | { kind: 'loaded'; operation: Operation }
  | { kind: 'failed'; error: unknown };

/** One operation (`GET /operations/{id}`): its steps, attempts and compensation, result or error. */
export function OperationDetail(props: { api: Api; id: string }) {
  const { api, id } = props;
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  useEffect(() => {
    let timer: number | undefined;
    let stopped = false;
    setLoad({ kind: 'loading' });
    const poll = async () => {
      try {
        const operation = await api.operation(id);
        if (stopped) return;
        setLoad({ kind: 'loaded', operation });
        if (finished.has(operation.status)) return;
        timer = window.setTimeout(() => void poll(), POLL_MS);
      } catch (error) {
        if (!stopped) setLoad({ kind: 'failed', error });
      }
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [api, id]);

  if (load.kind === 'failed') return <Problem error={load.error} title="Operation" />;
  if (load.kind === 'loading')
    return (
      <>
        <PageHeading title="Operation" />
        <p role="status">Loading…</p>
      </>
    );
  const { operation } = load;
  const steps = operation.steps ?? [];
  return (
    <>
      <p class="crumbs">
        <Link href={paths.operations}>Operations</Link>
      </p>
      <PageHeading title={`Operation: ${operation.tool ?? operation.id}`}>
        {operation.tool ?? 'Operation'} <StatusBadge status={operation.status} />
      </PageHeading>
      <p
        role={operation.status === 'failed' ? 'alert' : 'status'}
        class={
          operation.status === 'failed' ? 'banner banner-alarm' : `state state-${operation.status}`
        }
      >
        {explained[operation.status] ?? operation.status}
      </p>
      <dl class="facts">
        <div>
          <dt>Operation</dt>
          <dd>
            <code>{operation.id}</code>
          </dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd class="text">{operation.owner ?? '—'}</dd>
        </div>
        <div>
          <dt>Approved by</dt>
          <dd class="text">{operation.confirmedBy ?? '—'}</dd>
        </div>
        {operation.createdAt ? (
          <div>
            <dt>Created</dt>
            <dd>
              <Time iso={operation.createdAt} />
            </dd>
          </div>
        ) : null}
        {operation.updatedAt ? (
          <div>
            <dt>Last change</dt>
            <dd>
              <Time iso={operation.updatedAt} />
            </dd>
          </div>
        ) : null}
        {operation.confirmationId ? (
          <div>
            <dt>Confirmation</dt>
            <dd>
              <code>{operation.confirmationId}</code>
            </dd>
          </div>
        ) : null}
      </dl>

      <section aria-labelledby="steps-title">
        <h2 id="steps-title">Steps</h2>
        {steps.length === 0 ? (
          <p class="empty">No step recorded.</p>
        ) : (
          <Table
            caption="Each step, in order, and whether it was undone"
            headers={['Step', 'What happened', 'Attempts', 'Undo attempts']}
          >
            {steps.map((step) => (
              <tr
                key={step.name}
                class={step.status === 'compensation_failed' ? 'row-alarm' : undefined}
              >
                <th scope="row" class="text">
                  {step.name}
                </th>
                <td>
                  <span class={`state state-${step.status}`}>
                    {stepWords[step.status] ?? step.status}
                  </span>{' '}
                  <span class="muted">({step.status})</span>
                </td>
                <td>{step.attempts ?? 0}</td>
                <td>{step.compensationAttempts ?? 0}</td>
              </tr>
            ))}
          </Table>
        )}
      </section>

      {operation.error ? (
        <section aria-labelledby="error-title">
          <h2 id="error-title">Error</h2>
          <p>
            <code>{operation.error.code}</code>
          </p>
          <p class="text">{operation.error.message}</p>
        </section>
      ) : null}
      {operation.result !== undefined ? (
        <section aria-labelledby="result-title">
          <h2 id="result-title">Result</h2>
          <Value value={operation.result} />
        </section>
      ) : null}
    </>
  );
}
