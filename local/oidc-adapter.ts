import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Epoch ms; Infinity when the model has no expiry. */
  expiresAt: number;
}

/** How many writes between two sweeps of expired entries. */
const SWEEP_EVERY = 200;

/**
 * Storage for local mode's OpenID provider: in memory, one store per provider, so two local modes
 * in one process (tests) never see each other's sessions. Sessions and grants end with the
 * process, as local mode's data does.
 *
 * @example
 * new Provider(issuer, { adapter: memoryAdapter() });
 */
export function memoryAdapter(now: () => number = Date.now): AdapterFactory {
  const entries = new Map<string, Entry>();
  /** Secondary keys (`uid:…`, `userCode:…`) to primary ones. */
  const aliases = new Map<string, string>();
  let writes = 0;

  const live = (key: string | undefined): Entry | undefined => {
    if (key === undefined) return undefined;
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = () => {
    for (const [key, entry] of entries) if (entry.expiresAt <= now()) entries.delete(key);
    for (const [alias, key] of aliases) if (!entries.has(key)) aliases.delete(alias);
  };

  return (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        if (++writes % SWEEP_EVERY === 0) sweep();
        const key = keyOf(id);
        entries.set(key, {
          payload,
          expiresAt: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : Infinity,
        });
        if (payload.uid) aliases.set(`uid:${model}:${payload.uid}`, key);
        if (payload.userCode) aliases.set(`userCode:${model}:${payload.userCode}`, key);
      },
      async find(id) {
        return live(keyOf(id))?.payload;
      },
      async findByUid(uid) {
        return live(aliases.get(`uid:${model}:${uid}`))?.payload;
      },
      async findByUserCode(userCode) {
        return live(aliases.get(`userCode:${model}:${userCode}`))?.payload;
      },
      async consume(id) {
        const entry = live(keyOf(id));
        if (entry) entry.payload.consumed = Math.floor(now() / 1000);
      },
      async destroy(id) {
        entries.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const [key, entry] of entries)
          if (entry.payload.grantId === grantId) entries.delete(key);
      },
    };
  };
}
