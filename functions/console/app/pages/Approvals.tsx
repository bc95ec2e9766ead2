import { useCallback } from 'preact/hooks';
import type { Api } from '../api.ts';
import { Facts } from '../components/Facts.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { Preview } from '../components/Preview.tsx';
import { useNow, usePolled } from '../hooks.ts';
import { Link } from '../navigation.tsx';
import { paths } from '../routes.ts';
import { Problem } from './Problem.tsx';

/** How often the inbox asks again while it is on screen. */
const REFRESH_MS = 15_000;

/**
 * The inbox: every pending write this person may decide, newest first: their own writes that need
 * a person, and, for approvers, others' four-eyes writes. Each opens its own page to decide.
 */
export function Approvals(props: { api: Api }) {
  const { api } = props;
  const now = useNow();
  const { state, reload } = usePolled(
    useCallback(() => api.pending(), [api]),
    REFRESH_MS,
  );

  if (state.kind === 'failed') return <Problem error={state.error} title="Approvals" />;
  return (
    <>
      <PageHeading title="Approvals" />
      <p class="lead">
        Writes that agents proposed and that wait for a person: yours, and others' that need a
        second person. Nothing is written until someone approves it.
      </p>
      <div class="toolbar">
        <button type="button" class="quiet" onClick={() => void reload()}>
          Refresh
        </button>
        <p role="status" class="muted">
          {state.kind === 'loading'
            ? 'Loading…'
            : `${state.value.length === 1 ? '1 write waits' : `${state.value.length} writes wait`} for a decision.`}
        </p>
      </div>
      {state.kind === 'loaded' && state.value.length === 0 ? (
        <p class="empty">Nothing waits for you.</p>
      ) : null}
      {state.kind === 'loaded' && state.value.length > 0 ? (
        <ul class="inbox">
          {state.value.map((confirmation) => (
            <li key={confirmation.id}>
              <article class="card" aria-labelledby={`title-${confirmation.id}`}>
                <h2 id={`title-${confirmation.id}`}>
                  <Link
                    href={paths.approval(confirmation.id)}
                    describedBy={`summary-${confirmation.id}`}
                  >
                    {confirmation.tool}
                  </Link>
                </h2>
                <p id={`summary-${confirmation.id}`} class="summary text">
                  {confirmation.summary}
                </p>
                <Facts confirmation={confirmation} now={now} />
                <Preview preview={confirmation.preview} />
              </article>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
