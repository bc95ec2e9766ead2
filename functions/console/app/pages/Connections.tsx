import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Api, ConnectionView } from '../api.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { Table, Time } from '../components/Table.tsx';
import { Problem } from './Problem.tsx';

const STATUS_WORDS: Record<ConnectionView['status'], string> = {
  connected: 'Connected',
  broken: 'Broken: connect again',
  not_connected: 'Not connected',
};

/**
 * The person's connections to the systems called on their behalf (GET /connections): connect
 * (POST /connections/{system}, then on to the system's consent page) and revoke. An agent's
 * `connectUrl` opens this page with `?connect=<system>`, which starts connecting at once; the
 * gateway's callback comes back with `?connected=<system>`.
 */
export function Connections(props: { api: Api; search: string }) {
  const { api } = props;
  const query = new URLSearchParams(props.search);
  const [connections, setConnections] = useState<ConnectionView[] | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      setConnections(await api.connections());
    } catch (error) {
      setProblem(error);
    }
  }, [api]);

  const connect = useCallback(
    async (system: string) => {
      setBusy(system);
      try {
        const { authorizeUrl } = await api.connect(system);
        window.location.assign(authorizeUrl);
      } catch (error) {
        setBusy(undefined);
        setProblem(error);
      }
    },
    [api],
  );

  const revoke = useCallback(
    async (system: string) => {
      setBusy(system);
      try {
        await api.revokeConnection(system);
        await load();
      } catch (error) {
        setProblem(error);
      } finally {
        setBusy(undefined);
      }
    },
    [api, load],
  );

  const toConnect = query.get('connect');
  useEffect(() => {
    if (toConnect) void connect(toConnect);
    else void load();
  }, [toConnect, connect, load]);

  if (problem) return <Problem error={problem} title="Connections" />;
  const connected = query.get('connected');
  return (
    <>
      <PageHeading title="Connections" />
      <p class="lead">
        Systems the assistant calls with your own permissions: connect each once, so it sees what
        you see there and nothing more. Revoking ends the connection at the system too.
      </p>
      {connected ? (
        <p role="status" class="banner">
          Connected <code>{connected}</code>.
        </p>
      ) : null}
      {toConnect ? <p role="status">Taking you to {toConnect} to connect…</p> : null}
      {connections === undefined ? (
        toConnect ? null : (
          <p role="status">Loading…</p>
        )
      ) : connections.length === 0 ? (
        <p>No system is called on your behalf in this deployment.</p>
      ) : (
        <Table caption="Your connections" headers={['System', 'Status', 'Since', '']}>
          {connections.map((connection) => (
            <tr key={connection.system}>
              <td>{connection.displayName}</td>
              <td>{STATUS_WORDS[connection.status]}</td>
              <td>{connection.connectedAt ? <Time iso={connection.connectedAt} /> : '—'}</td>
              <td>
                {connection.status === 'connected' ? (
                  <button
                    type="button"
                    class="reject"
                    disabled={busy !== undefined}
                    onClick={() => void revoke(connection.system)}
                  >
                    Revoke
                  </button>
                ) : (
                  <button
                    type="button"
                    class="approve"
                    disabled={busy !== undefined}
                    onClick={() => void connect(connection.system)}
                  >
                    Connect
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
