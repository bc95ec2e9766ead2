import type { Api, WebhookSource } from '../api.ts';
import { FilterForm, filtersOfForm, SelectField, TextField } from '../components/Fields.tsx';
import { ListStatus, ShowMore } from '../components/Lists.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { Table, Time } from '../components/Table.tsx';
import { useCursorList } from '../hooks.ts';
import { navigate } from '../navigation.tsx';
import { apiQueryOf, filtersOf, queryOf } from '../query.ts';
import { paths } from '../routes.ts';
import { spanOf } from '../time.ts';
import { Problem } from './Problem.tsx';

export const webhookFilters = ['source', 'outcome', 'from', 'to'] as const;
type WebhookFilter = (typeof webhookFilters)[number];
const times: readonly WebhookFilter[] = ['from', 'to'];

/** Why a quiet source stands out, in words. */
export function quietWords(source: WebhookSource): string {
  if (!source.lastEventAt) return 'No event in the last 24 hours.';
  const quietFor =
    source.quietForSeconds === undefined ? 'a while' : spanOf(source.quietForSeconds);
  const usual =
    source.usualGapSeconds === undefined
      ? ''
      : ` (usually every ${spanOf(source.usualGapSeconds)})`;
  return `Nothing for ${quietFor}${usual}.`;
}

/** Per source over the last 24 hours: received, duplicates, refused, the last event; quiet ones flagged. */
function Sources(props: { sources: readonly WebhookSource[] }) {
  const quiet = props.sources.filter((source) => source.quiet);
  return (
    <section aria-labelledby="sources-title">
      <h2 id="sources-title">Sources, last 24 hours</h2>
      {quiet.length > 0 ? (
        <div role="alert" class="banner banner-warn">
          <p>
            <strong>
              {quiet.length === 1 ? '1 source went quiet' : `${quiet.length} sources went quiet`}
            </strong>
            : longer than three times its usual gap between events. Deliveries may be failing at the
            sender.
          </p>
          <ul class="banner-items">
            {quiet.map((source) => (
              <li key={source.source}>
                <code>{source.source}</code>: {quietWords(source)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <Table
        caption="Deliveries per source"
        headers={[
          'Source',
          'Received',
          'Duplicates',
          'Refused',
          'Last event',
          'Usual gap',
          'State',
        ]}
      >
        {props.sources.map((source) => (
          <tr key={source.source} class={source.quiet ? 'row-warn' : undefined}>
            <th scope="row">
              <code>{source.source}</code>
            </th>
            <td>{source.received24h}</td>
            <td>{source.duplicates24h}</td>
            <td>{source.refused24h}</td>
            <td>
              {source.lastEventAt ? (
                <Time iso={source.lastEventAt} />
              ) : (
                <span class="none">none</span>
              )}
            </td>
            <td>{source.usualGapSeconds === undefined ? '—' : spanOf(source.usualGapSeconds)}</td>
            <td>
              {source.quiet ? (
                <span class="badge badge-quiet">quiet: {quietWords(source)}</span>
              ) : (
                <span class="badge badge-confirmed">delivering</span>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

/**
 * Webhooks (`GET /webhooks/events`): per source the deliveries of the last 24 hours, quiet sources
 * flagged, and the event log filtered by source, outcome and time. For admins, approvers and
 * auditors.
 */
export function Webhooks(props: { api: Api; search: string }) {
  const { api, search } = props;
  const filters = filtersOf(search, webhookFilters);
  const key = queryOf(filters, webhookFilters);
  const { state, more, reload } = useCursorList(key, (cursor) =>
    api.webhookEvents(apiQueryOf(filters, webhookFilters, times, { cursor })),
  );
  if (state.kind === 'failed') return <Problem error={state.error} title="Webhooks" />;
  // The per-source counts come with the first page (they do not depend on the filters).
  const sources = state.kind === 'loaded' ? state.first.sources : [];
  return (
    <>
      <PageHeading title="Webhooks" />
      <p class="lead">
        Events the SaaS systems sent: how many arrived, how many were duplicates or refused, and
        which sources went quiet.
      </p>
      <div class="toolbar">
        <button type="button" class="quiet" onClick={reload}>
          Refresh
        </button>
        <ListStatus state={state} one="event" many="events" />
      </div>
      {state.kind === 'loaded' ? <Sources sources={sources} /> : null}
      <section aria-labelledby="events-title">
        <h2 id="events-title">Event log</h2>
        <FilterForm
          label="Search the event log"
          onSubmit={(form) =>
            navigate(
              `${paths.webhooks}${queryOf(filtersOfForm(form, webhookFilters), webhookFilters)}`,
            )
          }
          onClear={() => navigate(paths.webhooks)}
        >
          <SelectField
            name="source"
            label="Source"
            value={filters.source}
            options={sources.map((source) => [source.source, source.source] as const)}
          />
          <SelectField
            name="outcome"
            label="Outcome"
            value={filters.outcome}
            options={[
              ['accepted', 'Accepted'],
              ['duplicate', 'Duplicate'],
              ['refused', 'Refused'],
            ]}
          />
          <TextField name="from" label="From" type="datetime-local" value={filters.from} />
          <TextField name="to" label="To" type="datetime-local" value={filters.to} />
        </FilterForm>
        {state.kind === 'loaded' && state.items.length === 0 ? (
          <p class="empty">No event matches.</p>
        ) : null}
        {state.kind === 'loaded' && state.items.length > 0 ? (
          <Table
            caption="Events, newest first"
            headers={['Received', 'Source', 'Type', 'Outcome', 'Event id']}
          >
            {state.items.map((event) => (
              <tr key={`${event.source}:${event.id}:${event.receivedAt}`}>
                <td>
                  <Time iso={event.receivedAt} />
                </td>
                <td>
                  <code>{event.source}</code>
                </td>
                <td class="text">{event.type ?? ''}</td>
                <td>
                  <span class={`badge badge-event-${event.outcome}`}>{event.outcome}</span>
                  {event.reason ? <span class="text muted"> {event.reason}</span> : null}
                </td>
                <td>
                  <code>{event.id}</code>
                </td>
              </tr>
            ))}
          </Table>
        ) : null}
        <ShowMore state={state} more={more} />
      </section>
    </>
  );
}
