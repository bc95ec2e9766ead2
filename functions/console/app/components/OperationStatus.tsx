import { useEffect, useState } from 'preact/hooks';
import { type Api, finished, type Operation, type OperationStatus } from '../api.ts';

/** How often an operation that has not finished is asked for again. */
const POLL_MS = 1000;

const explained: Record<OperationStatus, string> = {
  queued: 'Queued: it starts as soon as its systems can take it.',
  running: 'Running.',
  succeeded: 'Succeeded: every step is done.',
  rolled_back: 'Rolled back: a step failed, and the steps done before it were undone.',
  failed: 'Failed: a step failed and undoing the earlier steps failed too. A person must look.',
};

/** An approved write's operation, followed until it ends. */
export function OperationStatusView(props: { api: Api; id: string }) {
  const { api, id } = props;
  const [operation, setOperation] = useState<Operation | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  useEffect(() => {
    let timer: number | undefined;
    let stopped = false;
    const poll = async () => {
      try {
        const current = await api.operation(id);
        if (stopped) return;
        setOperation(current);
        setProblem(undefined);
        if (finished.has(current.status)) return;
      } catch (error) {
        if (stopped) return;
        setProblem((error as Error).message);
      }
      timer = window.setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [api, id]);

  return (
    <section class="operation" aria-labelledby="operation-title">
      <h2 id="operation-title">Operation</h2>
      <p>
        <code>{id}</code>
      </p>
      <p role="status" class={`state state-${operation?.status ?? 'unknown'}`}>
        {operation ? (explained[operation.status] ?? operation.status) : 'Asking the gateway…'}
      </p>
      {problem ? (
        <p role="alert" class="text">
          {problem}
        </p>
      ) : null}
      {operation?.steps?.length ? (
        <ol class="steps">
          {operation.steps.map((step) => (
            <li key={step.name}>
              <span class="step-name">{step.name}</span>{' '}
              <span class={`state state-${step.status}`}>{step.status}</span>
              {step.attempts && step.attempts > 1 ? ` (${step.attempts} attempts)` : ''}
            </li>
          ))}
        </ol>
      ) : null}
      {operation?.error?.message ? <p class="text">{operation.error.message}</p> : null}
    </section>
  );
}
