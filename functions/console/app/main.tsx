import './styles.css';
import { render } from 'preact';
import { useMemo } from 'preact/hooks';
import { createApi } from './api.ts';
import { type Auth, createAuth, type Person } from './auth.ts';
import { Layout } from './components/Layout.tsx';
import { PageHeading } from './components/PageHeading.tsx';
import type { ConsoleConfig } from './config.ts';
import { navigate, usePath } from './navigation.tsx';
import { Approval } from './pages/Approval.tsx';
import { Approvals } from './pages/Approvals.tsx';
import { routeOf, sectionOf } from './routes.ts';

/** The signed-in console: the page of the current path, in the layout. */
function App(props: { auth: Auth; person: Person }) {
  const { auth, person } = props;
  const path = usePath();
  const route = routeOf(path);
  const api = useMemo(
    () =>
      createApi({
        accessToken: () => auth.accessToken(),
        onSignedOut: () => void auth.signIn(`${window.location.pathname}${window.location.search}`),
      }),
    [auth, person],
  );
  return (
    <Layout person={person} section={sectionOf(route)} onSignOut={() => void auth.signOut()}>
      {route.page === 'approvals' ? <Approvals api={api} /> : null}
      {route.page === 'approval' ? <Approval api={api} id={route.id} /> : null}
      {route.page === 'not-found' ? (
        <>
          <PageHeading title="Not found" />
          <p>The console has no page here.</p>
        </>
      ) : null}
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
