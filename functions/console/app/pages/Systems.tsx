import { useCallback, useState } from 'preact/hooks';
import type { Api, SwitchState, SystemView } from '../api.ts';
import { MiniChart } from '../components/MiniChart.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { Time } from '../components/Table.tsx';
import { usePolled } from '../hooks.ts';
import { switchesSystems } from '../roles.ts';
import { Problem } from './Problem.tsx';

/** How often the page asks again while it is on screen. */
const REFRESH_MS = 15_000;

const breakerWords: Record<SystemView['breaker']['state'], string> = {
  closed: 'closed: calls go through',
  open: 'open: calls fail fast',
  half_open: 'half open: one probe call decides',
};

/** A switch's state in words: on, or off with why, by whom and when. */
function SwitchText(props: { state: SwitchState }) {
  const { state } = props;
  if (state.enabled) return <span class="state state-succeeded">on</span>;
  return (
    <span>
      <span class="state state-failed">off</span>
      {state.reason ? (
        <>
          {' '}
          (<q class="text">{state.reason}</q>)
        </>
      ) : null}
      {state.changedBy ? <span class="muted text"> by {state.changedBy}</span> : null}
      {state.changedAt ? (
        <span class="muted">
          {' '}
          at <Time iso={state.changedAt} />
        </span>
      ) : null}
    </span>
  );
}

/** An admin's Switch off / Switch on for one system, with a reason (kept in the audit trail). */
function SwitchForm(props: { api: Api; system: SystemView; onChanged: () => void }) {
  const { api, system } = props;
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  // An enabled system's form switches it off, and the other way round.
  const switchingOff = system.switch.enabled;
  const id = `reason-${system.id}`;
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const reason = String(new FormData(form).get('reason') ?? '').trim();
    setBusy(true);
    setProblem(undefined);
    try {
      await api.setSwitch('system', system.id, { enabled: !switchingOff, reason });
      form.reset();
      props.onChanged();
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="switch-form" onSubmit={(event) => void submit(event)}>
      <label for={id}>Reason</label>
      <input
        id={id}
        name="reason"
        required={switchingOff}
        minLength={switchingOff ? 3 : undefined}
        maxLength={300}
        autocomplete="off"
        aria-describedby={`${id}-hint`}
      />
      <small id={`${id}-hint`} class="muted">
        {switchingOff
          ? 'Agents are told it; the audit trail keeps it.'
          : 'Optional; the audit trail keeps it.'}
      </small>
      <button type="submit" class={switchingOff ? 'reject' : 'approve'} disabled={busy}>
        {switchingOff ? 'Switch off' : 'Switch on'}
      </button>
      {problem ? (
        <p role="alert" class="text error">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

/** An admin's Invalidate cache for one cached tool. */
function InvalidateButton(props: { api: Api; tool: string }) {
  const [state, setState] = useState<'idle' | 'busy' | 'done' | string>('idle');
  const run = async () => {
    setState('busy');
    try {
      await props.api.invalidateCache(props.tool);
      setState('done');
    } catch (error) {
      setState((error as Error).message);
    }
  };
  return (
    <>
      <button
        type="button"
        class="quiet"
        disabled={state === 'busy'}
        aria-label={`Invalidate cache of ${props.tool}`}
        onClick={() => void run()}
      >
        Invalidate cache
      </button>
      {state === 'done' ? (
        <span role="status" class="muted">
          {' '}
          Invalidated.
        </span>
      ) : null}
      {state !== 'idle' && state !== 'busy' && state !== 'done' ? (
        <span role="alert" class="text error">
          {state}
        </span>
      ) : null}
    </>
  );
}

const percent = (rate: number) => `${Math.round(rate * 1000) / 10} %`;

/** One system's card: breaker, switch, budget, charts of the last minutes, its tools. */
function SystemCard(props: {
  api: Api;
  system: SystemView;
  admin: boolean;
  onChanged: () => void;
}) {
  const { system, admin, api } = props;
  const minutes = system.minutes.map((minute) => minute.at);
  const titleId = `system-${system.id}`;
  const troubled = system.breaker.state !== 'closed' || !system.switch.enabled;
  return (
    <article class={`card system${troubled ? ' card-alarm' : ''}`} aria-labelledby={titleId}>
      <h2 id={titleId}>
        <span class="text">{system.name}</span> <code class="muted">{system.id}</code>
      </h2>
      <dl class="facts">
        <div>
          <dt>Breaker</dt>
          <dd>
            <span class={`badge badge-breaker-${system.breaker.state}`}>
              {breakerWords[system.breaker.state] ?? system.breaker.state}
            </span>
            {system.breaker.retryAt ? (
              <span class="muted">
                {' '}
                retry at <Time iso={system.breaker.retryAt} />
              </span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>Switch</dt>
          <dd>
            <SwitchText state={system.switch} />
          </dd>
        </div>
        <div>
          <dt>Last 15 minutes</dt>
          <dd>
            {system.totals.calls} calls, {system.totals.errors} errors (
            {percent(system.totals.errorRate)}), p50 {system.totals.p50Ms} ms, p95{' '}
            {system.totals.p95Ms} ms
          </dd>
        </div>
        {system.budget ? (
          <div>
            <dt>Rate budget in use</dt>
            <dd>
              <meter
                min={0}
                max={system.budget.limitPerSecond}
                value={system.budget.inUse}
                high={system.budget.limitPerSecond * 0.8}
                aria-label={`Rate budget of ${system.name} in use`}
              />{' '}
              {system.budget.inUse} of {system.budget.limitPerSecond} per second
            </dd>
          </div>
        ) : null}
      </dl>
      <div class="charts">
        <MiniChart
          title="Calls and errors"
          unit=""
          minutes={minutes}
          series={[
            { label: 'Calls', values: system.minutes.map((m) => m.calls), tone: 'a' },
            { label: 'Errors', values: system.minutes.map((m) => m.errors), tone: 'b' },
          ]}
        />
        <MiniChart
          title="Latency"
          unit="ms"
          minutes={minutes}
          series={[
            { label: 'p50', values: system.minutes.map((m) => m.p50Ms), tone: 'a' },
            { label: 'p95', values: system.minutes.map((m) => m.p95Ms), tone: 'b' },
          ]}
        />
      </div>
      {admin ? <SwitchForm api={api} system={system} onChanged={props.onChanged} /> : null}
      {system.tools.length > 0 ? (
        <details class="tools">
          <summary>
            Tools using {system.name} ({system.tools.length})
          </summary>
          <ul class="tools-list">
            {system.tools.map((tool) => (
              <li key={tool.name}>
                <code>{tool.name}</code> <span class="muted">{tool.risk}</span>{' '}
                <SwitchText state={tool.switch} />
                {tool.cached ? <span class="muted">, cached</span> : null}
                {admin && tool.cached ? (
                  <>
                    {' '}
                    <InvalidateButton api={api} tool={tool.name} />
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </article>
  );
}

/**
 * The business systems (`GET /systems`): per system the breaker, the switch, the rate budget in
 * use and small charts of its last 15 minutes. Admins switch systems off and on with a reason and
 * invalidate cached tools; everyone else reads.
 */
export function Systems(props: { api: Api; roles: readonly string[] }) {
  const { api } = props;
  const admin = switchesSystems(props.roles);
  const { state, reload } = usePolled(
    useCallback(() => api.systems(), [api]),
    REFRESH_MS,
  );

  if (state.kind === 'failed') return <Problem error={state.error} title="Systems" />;
  return (
    <>
      <PageHeading title="Systems" />
      <p class="lead">
        The business systems behind the tools: whether their circuit breaker lets calls through,
        whether an administrator switched them off, and their calls, errors and latency minute by
        minute. {admin ? 'As an admin you switch them off and on.' : ''}
      </p>
      <div class="toolbar">
        <button type="button" class="quiet" onClick={() => void reload()}>
          Refresh
        </button>
        <p role="status" class="muted">
          {state.kind === 'loading'
            ? 'Loading…'
            : `${state.value.length === 1 ? '1 system' : `${state.value.length} systems`}.`}
        </p>
      </div>
      {state.kind === 'loaded' ? (
        <div class="systems">
          {state.value.map((system) => (
            <SystemCard
              key={system.id}
              api={api}
              system={system}
              admin={admin}
              onChanged={() => void reload()}
            />
          ))}
        </div>
      ) : null}
    </>
  );
}
