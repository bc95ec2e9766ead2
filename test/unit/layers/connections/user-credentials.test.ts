import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoConnectionStore } from '#layers/connections/connection-store.ts';
import {
  GrantRefusedError,
  type UserOAuthClient,
  type UserTokenSet,
} from '#layers/connections/oauth-client.ts';
import { UserCredentials } from '#layers/connections/user-credentials.ts';
import { defineSystem } from '#layers/connectors/system-definition.ts';
import { ConnectionRequiredError } from '#layers/errors/index.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';

const system = defineSystem({
  id: 'crm',
  displayName: 'CRM',
  apiShape: 'HubSpot CRM v3 objects',
  auth: { type: 'bearer' },
  userAuth: { type: 'oauth2_authorization_code', authorizePath: '/a', tokenPath: '/t' },
  pagination: { style: 'none' },
});
const CONNECT_URL = 'http://gw/console/connections?connect=crm';
const quiet = { info: () => undefined };

/** A token endpoint that counts refresh grants; `hold` keeps each refresh pending until released. */
function fakeOAuth(clock: { now: number }) {
  let issued = 0;
  let refreshes = 0;
  let refuse = false;
  let release: (() => void) | undefined;
  let held: Promise<void> | undefined;
  const oauth: UserOAuthClient = {
    authorizeUrl: () => 'unused',
    exchangeCode: async () => {
      throw new Error('unused');
    },
    async refresh(refreshToken) {
      refreshes++;
      if (held) await held;
      if (refuse) throw new GrantRefusedError('refused');
      issued++;
      return {
        accessToken: `access-${issued}`,
        refreshToken: `${refreshToken}+`,
        expiresAt: clock.now + 3_600_000,
      };
    },
    revoke: async () => true,
  };
  return {
    oauth,
    refreshes: () => refreshes,
    refuse: () => {
      refuse = true;
    },
    hold: () => {
      held = new Promise((done) => {
        release = done;
      });
    },
    release: () => {
      held = undefined;
      release?.();
    },
  };
}

describe('UserCredentials', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let store: DynamoConnectionStore;
  const clock = { now: Date.UTC(2026, 11, 3, 12) };
  let sub = 'ana';
  let counter = 0;
  const instance = (oauth: UserOAuthClient) =>
    new UserCredentials({
      store,
      systems: new Map([['crm', { system, oauth }]]),
      logger: quiet,
      now: () => clock.now,
      // Each wait lets the other "instance" run and moves the clock a poll's length on.
      sleep: async (ms) => {
        clock.now += ms;
        await new Promise((done) => setImmediate(done));
      },
    });
  const connect = (tokens: Partial<UserTokenSet> = {}) =>
    store.connect(
      sub,
      'crm',
      {
        accessToken: 'access-0',
        refreshToken: 'refresh-0',
        expiresAt: clock.now + 3_600_000,
        ...tokens,
      },
      new Date(clock.now),
    );

  beforeAll(async () => {
    db = await startTables();
    store = new DynamoConnectionStore({
      client: db.client,
      tableName: localTableNames.connections,
    });
  });
  afterAll(() => db.close());
  beforeEach(() => {
    // Each test has its own user, so no connection carries over.
    sub = `user-${++counter}`;
  });

  it('answers the stored token while it is fresh, without a refresh', async () => {
    // Arrange
    const fake = fakeOAuth(clock);
    await connect();
    // Act
    const token = await instance(fake.oauth).accessToken('crm', sub, CONNECT_URL);
    // Assert
    expect(token).toBe('access-0');
    expect(fake.refreshes()).toBe(0);
  });

  it('refreshes once when concurrent calls on two instances find the token about to expire', async () => {
    // Arrange: 30 s left, within the 60 s margin
    const fake = fakeOAuth(clock);
    await connect({ expiresAt: clock.now + 30_000 });
    fake.hold();
    const first = instance(fake.oauth);
    const second = instance(fake.oauth);
    // Act
    const calls = [
      ...Array.from({ length: 10 }, () => first.accessToken('crm', sub, CONNECT_URL)),
      ...Array.from({ length: 10 }, () => second.accessToken('crm', sub, CONNECT_URL)),
    ];
    // Released once the one refresh is under way, every call made meanwhile.
    await vi.waitFor(() => expect(fake.refreshes()).toBe(1));
    fake.release();
    const tokens = await Promise.all(calls);
    // Assert
    expect(fake.refreshes()).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['access-1']));
    const stored = await store.get(sub, 'crm');
    expect(stored?.tokens?.refreshToken).toBe('refresh-0+');
    expect(stored?.lease).toBeUndefined();
  });

  it('marks the connection broken and answers connection_required when the refresh is refused', async () => {
    // Arrange
    const fake = fakeOAuth(clock);
    await connect({ expiresAt: clock.now - 1 });
    fake.refuse();
    const credentials = instance(fake.oauth);
    // Act
    const refused = await credentials.accessToken('crm', sub, CONNECT_URL).catch((e) => e);
    const again = await credentials.accessToken('crm', sub, CONNECT_URL).catch((e) => e);
    // Assert: one refresh, then connection_required without another
    expect(refused).toBeInstanceOf(ConnectionRequiredError);
    expect(refused.connectUrl).toBe(CONNECT_URL);
    expect(refused.message).toMatch(/marked broken/);
    expect(again).toBeInstanceOf(ConnectionRequiredError);
    expect(fake.refreshes()).toBe(1);
    const stored = await store.get(sub, 'crm');
    expect(stored?.status).toBe('broken');
    expect(stored?.tokens).toBeUndefined();
  });

  it('answers connection_required with the connect link when the user never connected', async () => {
    // Arrange
    const fake = fakeOAuth(clock);
    // Act
    const error = await instance(fake.oauth)
      .accessToken('crm', sub, CONNECT_URL)
      .catch((e) => e);
    // Assert
    expect(error).toBeInstanceOf(ConnectionRequiredError);
    expect(error.code).toBe('connection_required');
    expect(error.statusCode).toBe(403);
    expect(error.message).toContain(CONNECT_URL);
    expect(error.message).not.toMatch(/broken/);
  });

  it('refreshes the token a system rejected (401) once, through the authenticator', async () => {
    // Arrange
    const fake = fakeOAuth(clock);
    await connect();
    const auth = instance(fake.oauth).authenticatorFor('crm', sub, CONNECT_URL);
    // Act
    const before = await auth.headers({ fetchToken: fetch });
    auth.invalidate();
    const after = await auth.headers({ fetchToken: fetch });
    // Assert
    expect(before.authorization).toBe('Bearer access-0');
    expect(after.authorization).toBe('Bearer access-1');
    expect(fake.refreshes()).toBe(1);
  });
});

describe('DynamoConnectionStore', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let store: DynamoConnectionStore;
  beforeAll(async () => {
    db = await startTables();
    store = new DynamoConnectionStore({
      client: db.client,
      tableName: localTableNames.connections,
    });
  });
  afterAll(() => db.close());

  it('gives a pending authorization once, by its state', async () => {
    // Arrange
    const pending = {
      sub: 'ana',
      system: 'crm',
      verifier: 'v'.repeat(43),
      redirectUri: 'http://gw/connections/crm/callback',
      expiresAt: Date.now() + 600_000,
    };
    await store.putPending('state-1', pending);
    // Act
    const first = await store.takePending('state-1');
    const second = await store.takePending('state-1');
    // Assert
    expect(first).toEqual(pending);
    expect(second).toBeUndefined();
  });

  it('lets one claimant at a time hold the refresh lease until it runs out', async () => {
    // Arrange
    const at = Date.now();
    await store.connect(
      'bea',
      'crm',
      { accessToken: 'a', refreshToken: 'r', expiresAt: at + 1000 },
      new Date(at),
    );
    // Act
    const first = await store.claimRefresh('bea', 'crm', at + 10_000, at);
    const second = await store.claimRefresh('bea', 'crm', at + 10_000, at + 1);
    const afterLease = await store.claimRefresh('bea', 'crm', at + 30_000, at + 10_001);
    // Assert
    expect([first, second, afterLease]).toEqual([true, false, true]);
  });

  it('lists a user’s connections and forgets one, answering what it held', async () => {
    // Arrange
    const at = Date.now();
    await store.connect('carl', 'crm', { accessToken: 'a', expiresAt: at + 1000 }, new Date(at));
    // Act
    const listed = await store.list('carl');
    const removed = await store.remove('carl', 'crm');
    // Assert
    expect(listed.map((found) => found.system)).toEqual(['crm']);
    expect(removed?.tokens?.accessToken).toBe('a');
    expect(await store.list('carl')).toEqual([]);
  });
});
