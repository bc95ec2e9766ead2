import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Api, AuditRecord } from '../api.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { Value } from '../components/Preview.tsx';
import { Table, Time } from '../components/Table.tsx';
import { Link } from '../navigation.tsx';
import { paths } from '../routes.ts';
import { Problem } from './Problem.tsx';

type Load =
  | { kind: 'loading' }
  | { kind: 'loaded'; record: AuditRecord }
  | { kind: 'failed'; error: unknown };

/** A fact of the record, left out when it has none. */
function Fact(props: { term: string; children: ComponentChildren; when?: unknown }) {
  if ('when' in props && (props.when === undefined || props.when === '')) return null;
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/**
 * One audit record (`GET /audit/{auditId}`): who called which tool, the input as redacted, the
 * agent's reason, the outcome and duration, and the business systems' own request ids, to find
 * the call in their logs. A record of a conversation links to the whole conversation.
 */
export function AuditRecordDetail(props: { api: Api; id: string }) {
  const { api, id } = props;
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  useEffect(() => {
    let stopped = false;
    setLoad({ kind: 'loading' });
    api.auditRecord(id).then(
      (record) => !stopped && setLoad({ kind: 'loaded', record }),
      (error: unknown) => !stopped && setLoad({ kind: 'failed', error }),
    );
    return () => {
      stopped = true;
    };
  }, [api, id]);

  if (load.kind === 'failed') return <Problem error={load.error} title="Audit record" />;
  if (load.kind === 'loading')
    return (
      <>
        <PageHeading title="Audit record" />
        <p role="status">Loading…</p>
      </>
    );
  const { record } = load;
  const upstream = record.upstream ?? [];
  return (
    <>
      <p class="crumbs">
        <Link href={paths.audit}>Audit</Link>
      </p>
      <PageHeading title={`Audit record: ${record.tool}`}>
        {record.tool}{' '}
        <span class={`badge badge-${record.outcome === 'success' ? 'confirmed' : 'cancelled'}`}>
          {record.outcome}
        </span>
      </PageHeading>
      <dl class="facts">
        <Fact term="Time">
          <Time iso={record.at} />
        </Fact>
        <Fact term="User">
          <span class="text">{record.sub}</span>
        </Fact>
        <Fact term="Roles">
          <span class="text">{(record.roles ?? []).join(', ') || '—'}</span>
        </Fact>
        <Fact term="Client" when={record.clientId}>
          <code>{record.clientId}</code>
        </Fact>
        <Fact term="Request id">
          <code>{record.requestId}</code>
        </Fact>
        <Fact term="Status">{record.statusCode}</Fact>
        <Fact term="Duration">{record.durationMs} ms</Fact>
        <Fact term="Error" when={record.errorCode}>
          <code>{record.errorCode}</code>
        </Fact>
        <Fact term="Conversation" when={record.conversationId}>
          <code>{record.conversationId}</code>{' '}
          <Link href={paths.conversation(record.conversationId ?? '')}>Follow conversation</Link>
        </Fact>
        <Fact term="Audit id">
          <code>{record.auditId}</code>
        </Fact>
      </dl>
      {record.errorMessage ? <p class="text error">{record.errorMessage}</p> : null}

      <section aria-labelledby="reason-title">
        <h2 id="reason-title">Agent's reason</h2>
        {record.reason ? (
          <p>
            <q class="text">{record.reason}</q>
          </p>
        ) : (
          <p class="none">none given</p>
        )}
      </section>

      <section aria-labelledby="input-title">
        <h2 id="input-title">Input (as redacted)</h2>
        <Value value={record.input} />
      </section>

      <section aria-labelledby="upstream-title">
        <h2 id="upstream-title">Calls to business systems</h2>
        {upstream.length === 0 ? (
          <p class="none">none recorded</p>
        ) : (
          <Table
            caption="Each system's own request id, to find the call in its logs"
            headers={['System', 'Credential', 'Request id', 'Status']}
          >
            {upstream.map((call, index) => (
              <tr key={index}>
                <th scope="row" class="text">
                  {call.system}
                </th>
                <td>{call.credential ?? ''}</td>
                <td>
                  {call.requestId ? <code>{call.requestId}</code> : <span class="none">none</span>}
                </td>
                <td>{call.status ?? ''}</td>
              </tr>
            ))}
          </Table>
        )}
      </section>
    </>
  );
}
