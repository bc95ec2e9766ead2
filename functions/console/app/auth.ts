import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { type ConsoleConfig, resourceOf } from './config.ts';
import { paths, sameConsolePath } from './routes.ts';

/** Who is signed in, as the console shows it. */
export interface Person {
  readonly sub: string;
  readonly name: string;
  /** The roles the issuer names in the ID token, when it does. */
  readonly roles: readonly string[];
}

/** What `start` found: a signed-in person, or a page to show before anyone is. */
export type Session =
  | { kind: 'signed-in'; person: Person; returnTo: string | undefined }
  | { kind: 'signed-out' }
  | { kind: 'redirecting' }
  | { kind: 'failed'; message: string };

export interface Auth {
  /** Reads the session; on the callback page, finishes the sign-in first. */
  start(location: Location): Promise<Session>;
  /** Goes to the issuer's sign-in page, to come back to `returnTo` (a console path). */
  signIn(returnTo: string): Promise<void>;
  /** Forgets the session (and ends it at the issuer when it supports that). */
  signOut(): Promise<void>;
  /** The person's current access token, renewed in place when the issuer gave a refresh token. */
  accessToken(): string | undefined;
}

/** Set while signing out, so the console's page says so when the issuer sends the person back. */
const SIGNED_OUT = 'toolgate-console:signed-out';

const personOf = (user: User): Person => {
  const roles = user.profile.roles;
  return {
    sub: user.profile.sub,
    name: String(user.profile.preferred_username ?? user.profile.name ?? user.profile.sub),
    roles: Array.isArray(roles) ? roles.map(String) : [],
  };
};

/**
 * OIDC authorization code with PKCE through `oidc-client-ts`: the person signs in at the issuer
 * and comes back to `/console/callback`. The session lives in this tab's sessionStorage only.
 * Shortly before the access token expires it is renewed with the refresh token, when the issuer
 * gave one; never through a hidden frame (the CSP allows none). Without one, the person signs in
 * again when the API answers 401, and lands where they were.
 */
export function createAuth(config: ConsoleConfig & { clientId: string }, origin: string): Auth {
  const resource = resourceOf(config.audience);
  const manager = new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${origin}${paths.callback}`,
    post_logout_redirect_uri: `${origin}${paths.home}`,
    response_type: 'code',
    scope: config.scope ?? 'openid',
    ...(resource ? { resource } : {}),
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });

  let current: User | null = null;
  manager.events.addUserLoaded((user) => {
    current = user;
  });
  manager.events.addUserUnloaded(() => {
    current = null;
  });
  manager.events.addAccessTokenExpiring(() => {
    if (current?.refresh_token) void manager.signinSilent().catch(() => undefined);
  });

  const signIn = async (returnTo: string) => {
    await manager.signinRedirect({ state: { returnTo: sameConsolePath(returnTo) } });
  };

  return {
    async start(location) {
      if (location.pathname === paths.callback) {
        try {
          const user = await manager.signinRedirectCallback(location.href);
          current = user;
          const state = user.state as { returnTo?: unknown } | undefined;
          const returnTo = typeof state?.returnTo === 'string' ? state.returnTo : undefined;
          return { kind: 'signed-in', person: personOf(user), returnTo: sameConsolePath(returnTo) };
        } catch (error) {
          return { kind: 'failed', message: (error as Error).message };
        }
      }
      const user = await manager.getUser();
      current = user;
      if (user && !user.expired)
        return { kind: 'signed-in', person: personOf(user), returnTo: undefined };
      // Back from signing out: say so, rather than send the person straight to sign in again.
      if (window.sessionStorage.getItem(SIGNED_OUT)) {
        window.sessionStorage.removeItem(SIGNED_OUT);
        return { kind: 'signed-out' };
      }
      await signIn(`${location.pathname}${location.search}`);
      return { kind: 'redirecting' };
    },
    signIn,
    accessToken: () => current?.access_token,
    async signOut() {
      window.sessionStorage.setItem(SIGNED_OUT, '1');
      try {
        await manager.signoutRedirect();
      } catch {
        // The issuer names no end-session endpoint (Cognito): forget the session here.
        await manager.removeUser();
        window.location.assign(paths.home);
      }
    },
  };
}
