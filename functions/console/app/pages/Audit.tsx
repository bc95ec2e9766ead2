import { useState } from 'preact/hooks';
import type { Api, AuditRecord } from '../api.ts';
import { auditCsv, EXPORT_MAX } from '../audit-csv.ts';
import { FilterForm, filtersOfForm, SelectField, TextField } from '../components/Fields.tsx';
import { ListStatus, ShowMore } from '../components/Lists.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { Table, Time } from '../components/Table.tsx';
import { allPages } from '../csv.ts';
import { useCursorList } from '../hooks.ts';
import { Link, navigate } from '../navigation.tsx';
import { apiQueryOf, type Filters, filtersOf, queryOf } from '../query.ts';
import { readsWholeAudit } from '../roles.ts';
import { paths } from '../routes.ts';
import { Problem } from './Problem.tsx';

export const auditFilters = [
  'sub',
  'tool',
  'outcome',
  'conversationId',
  'requestId',
  'from',
  'to',
] as const;
type AuditFilter = (typeof auditFilters)[number];
const times: readonly AuditFilter[] = ['from', 'to'];

/** Saves text as a file through a Blob link: nothing leaves the browser. */
function download(name: string, text: string): void {
  // A byte order mark, so that spreadsheets read the file as UTF-8.
  const blob = new Blob(['\uFEFF', text], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click the browser holds the file; the URL may go.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

type Export =
  | { kind: 'idle' }
  | { kind: 'exporting' }
  | { kind: 'done'; rows: number; truncated: boolean; file: string }
  | { kind: 'failed'; message: string };

/** Export CSV: every page of the current search, up to EXPORT_MAX records. */
function ExportButton(props: { api: Api; filters: Filters<AuditFilter> }) {
  const [state, setState] = useState<Export>({ kind: 'idle' });
  const run = async () => {
    setState({ kind: 'exporting' });
    try {
      const { items, truncated } = await allPages(
        async (cursor) =>
          props.api.audit(apiQueryOf(props.filters, auditFilters, times, { limit: 100, cursor })),
        EXPORT_MAX,
      );
      const file = `audit-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}Z.csv`;
      download(file, auditCsv(items));
      setState({ kind: 'done', rows: items.length, truncated, file });
    } catch (error) {
      setState({ kind: 'failed', message: (error as Error).message });
    }
  };
  return (
    <>
      <button type="button" disabled={state.kind === 'exporting'} onClick={() => void run()}>
        Export CSV
      </button>
      <p role="status" class="muted">
        {state.kind === 'exporting' ? 'Exporting…' : null}
        {state.kind === 'done'
          ? `Exported ${state.rows === 1 ? '1 record' : `${state.rows} records`} to ${state.file}${state.truncated ? ` (the first ${EXPORT_MAX}: narrow the search for the rest)` : ''}.`
          : null}
      </p>
      {state.kind === 'failed' ? (
        <p role="alert" class="text error">
          The export failed: {state.message}
        </p>
      ) : null}
    </>
  );
}

function Outcome(props: { record: AuditRecord }) {
  const { record } = props;
  return (
    <span class={`badge badge-${record.outcome === 'success' ? 'confirmed' : 'cancelled'}`}>
      {record.outcome === 'success' ? 'success' : `error ${record.statusCode}`}
    </span>
  );
}

/**
 * The audit trail (`GET /audit`): every call through the gateway, searched by user, tool,
 * outcome, conversation, request id and time. Auditors search everyone's; others their own. With a
 * conversation id it lists that conversation's calls in the order the agent made them.
 */
export function Audit(props: { api: Api; search: string; roles: readonly string[] }) {
  const { api, search } = props;
  const everyone = readsWholeAudit(props.roles);
  const fields = everyone ? auditFilters : auditFilters.filter((field) => field !== 'sub');
  const filters = filtersOf(search, fields);
  const key = queryOf(filters, fields);
  const { state, more } = useCursorList(key, (cursor) =>
    api.audit(apiQueryOf(filters, fields, times, { cursor })),
  );
  if (state.kind === 'failed') return <Problem error={state.error} title="Audit" />;
  const conversation = filters.conversationId;
  return (
    <>
      <PageHeading title="Audit" />
      <p class="lead">
        Every call agents and people made through the gateway: who, which tool, with what input (as
        redacted), why, and what came of it.{' '}
        {everyone ? 'You read the whole audit trail.' : 'You see your own calls.'}
      </p>
      <FilterForm
        label="Search the audit trail"
        onSubmit={(form) =>
          navigate(`${paths.audit}${queryOf(filtersOfForm(form, fields), fields)}`)
        }
        onClear={() => navigate(paths.audit)}
      >
        {everyone ? <TextField name="sub" label="User" value={filters.sub} /> : null}
        <TextField name="tool" label="Tool" value={filters.tool} />
        <SelectField
          name="outcome"
          label="Outcome"
          value={filters.outcome}
          options={[
            ['success', 'Success'],
            ['error', 'Error'],
          ]}
        />
        <TextField name="conversationId" label="Conversation id" value={filters.conversationId} />
        <TextField name="requestId" label="Request id" value={filters.requestId} />
        <TextField name="from" label="From" type="datetime-local" value={filters.from} />
        <TextField name="to" label="To" type="datetime-local" value={filters.to} />
      </FilterForm>
      {conversation ? (
        <h2>
          Conversation <code>{conversation}</code>: every call, oldest first
        </h2>
      ) : null}
      <div class="toolbar">
        <ExportButton api={api} filters={filters} />
        <ListStatus state={state} one="call" many="calls" />
      </div>
      {state.kind === 'loaded' && state.items.length === 0 ? (
        <p class="empty">No call matches.</p>
      ) : null}
      {state.kind === 'loaded' && state.items.length > 0 ? (
        <Table
          caption={
            conversation ? 'Calls in this conversation, oldest first' : 'Calls, newest first'
          }
          headers={['Time', 'User', 'Tool', 'Outcome', 'Duration', 'Request id']}
        >
          {state.items.map((record) => (
            <tr key={record.auditId}>
              <td>
                <Time iso={record.at} />
              </td>
              <td class="text">{record.sub}</td>
              <td class="text">{record.tool}</td>
              <td>
                <Outcome record={record} />
              </td>
              <td>{record.durationMs} ms</td>
              <th scope="row">
                <Link href={paths.auditRecord(record.auditId)}>
                  <code>{record.requestId}</code>
                </Link>
              </th>
            </tr>
          ))}
        </Table>
      ) : null}
      <ShowMore state={state} more={more} />
    </>
  );
}
