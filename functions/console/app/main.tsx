import './styles.css';
import { render } from 'preact';
import { useMemo } from 'preact/hooks';
import { type Api, createApi } from './api.ts';
import { type Auth, createAuth, type Person } from './auth.ts';
import { Layout } from './components/Layout.tsx';
import { PageHeading } from './components/PageHeading.tsx';
import type { ConsoleConfig } from './config.ts';
import { navigate, useLocation } from './navigation.tsx';
import { Approval } from './pages/Approval.tsx';
import { Approvals } from './pages/Approvals.tsx';
import { Audit } from './pages/Audit.tsx';
import { AuditRecordDetail } from './pages/AuditRecordDetail.tsx';
import { Connections } from './pages/Connections.tsx';
import { NotAllowed } from './pages/NotAllowed.tsx';
import { OperationDetail } from './pages/OperationDetail.tsx';
import { Operations } from './pages/Operations.tsx';
import { Systems } from './pages/Systems.tsx';
import { Webhooks } from './pages/Webhooks.tsx';
import { mayOpen, type Route, rolesFor, routeOf, sectionOf, sections } from './routes.ts';

/** The page of a route, for a person whose roles open its section. */
function PageOf(props: { route: Route; api: Api; search: string; person: Person }) {
  const { route, api, search, person } = props;
  switch (route.page) {
    case 'approvals':
      return <Approvals api={api} />;
    case 'approval':
      return <Approval api={api} id={route.id} />;
    case 'operations':
      return <Operations api={api} search={search} roles={person.roles} />;
    case 'operation':
      return <OperationDetail api={api} id={route.id} />;
    case 'audit':
      return <Audit api={api} search={search} roles={person.roles} />;
    case 'audit-record':
      return <AuditRecordDetail api={api} id={route.id} />;
    case 'systems':
      return <Systems api={api} roles={person.roles} />;
    case 'webhooks':
      return <Webhooks api={api} search={search} />;
    case 'connections':
      return <Connections api={api} search={search} />;
    case 'not-found':
      return (
        <>
          <PageHeading title="Not found" />
          <p>The console has no page here.</p>
        </>
      );
  }
}

/** The signed-in console: the page of the current path, in the layout. */
function App(props: { auth: Auth; person: Person }) {
  const { auth, person } = props;
  const { path, search } = useLocation();
  const route = routeOf(path);
  const section = sectionOf(route);
  const api = useMemo(
    () =>
      createApi({
        accessToken: () => auth.accessToken(),
        onSignedOut: () => void auth.signIn(`${window.location.pathname}${window.location.search}`),
      }),
    [auth, person],
  );
  return (
    <Layout person={person} section={section} onSignOut={() => void auth.signOut()}>
      {section && !mayOpen(section, person.roles) ? (
        <NotAllowed
          page={sections.find((item) => item.id === section)?.label ?? section}
          roles={rolesFor(section)}
          person={person}
        />
      ) : (
        <PageOf route={route} api={api} search={search} person={person} />
      )}
    </Layout>
  );
}

/** A page shown before anyone is signed in: signed out, or a sign-in that failed. */
function Outside(props: { auth: Auth; title: string; message: string }) {
  return (
    <Layout>
      <PageHeading title={props.title} />
      <p class="text">{props.message}</p>
      <p>
        <button type="button" onClick={() => void props.auth.signIn('/console/')}>
          Sign in again
        </button>
      </p>
    </Layout>
  );
}

async function start(root: HTMLElement): Promise<void> {
  const response = await fetch('/console/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`The console's settings did not load (${response.status}).`);
  const config = (await response.json()) as ConsoleConfig;
  if (!config.clientId) {
    render(
      <Layout>
        <PageHeading title="The console is not set up" />
        <p>
          This deployment names no OIDC client for the console, so nobody can sign in. Register the
          console with the identity provider and deploy with{' '}
          <code>-c consoleClientId=&lt;its client id&gt;</code> (README, "The console").
        </p>
      </Layout>,
      root,
    );
    return;
  }
  const auth = createAuth({ ...config, clientId: config.clientId }, window.location.origin);
  const session = await auth.start(window.location);
  switch (session.kind) {
    case 'signed-in':
      if (session.returnTo) navigate(session.returnTo, { replace: true });
      render(<App auth={auth} person={session.person} />, root);
      return;
    case 'signed-out':
      render(
        <Outside auth={auth} title="Signed out" message="You are signed out of the console." />,
        root,
      );
      return;
    case 'failed':
      render(<Outside auth={auth} title="Sign-in failed" message={session.message} />, root);
      return;
    case 'redirecting':
      return;
  }
}

const root = document.getElementById('root');
if (root) {
  start(root).catch((error: unknown) => {
    render(
      <Layout>
        <PageHeading title="The console did not start" />
        <p role="alert" class="text">
          {error instanceof Error ? error.message : String(error)}
        </p>
      </Layout>,
      root,
    );
  });
}
