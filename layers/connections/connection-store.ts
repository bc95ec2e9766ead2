import { createHash } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { UserTokenSet } from './oauth-client.ts';

/** The connections table's key (infra/stacks/stateful-stack.ts, local/emulators.ts). */
export const connectionsTable = { partitionKey: 'pk', sortKey: 'sk', ttl: 'ttl' } as const;

/** One user's connection to one system. Its tokens never leave the gateway. */
export interface StoredConnection {
  sub: string;
  system: string;
  /** `broken`: the system refused its refresh token; the user must connect again. */
  status: 'connected' | 'broken';
  tokens?: UserTokenSet;
  connectedAt: string;
  refreshedAt?: string;
  /** Grows with each refresh: a waiting instance sees another's refresh land. */
  version: number;
  /** Epoch ms until which one instance holds the right to refresh. */
  lease?: number;
}

/** An authorization started at the gateway: its state and PKCE verifier, used once. */
export interface PendingConnect {
  sub: string;
  system: string;
  verifier: string;
  redirectUri: string;
  /** Epoch ms. */
  expiresAt: number;
}

const userKey = (sub: string) => `user#${sub}`;
const systemKey = (system: string) => `system#${system}`;
/** The state is kept hashed: the table never holds a value that would complete a sign-in. */
const stateKey = (state: string) => `state#${createHash('sha256').update(state).digest('hex')}`;

const isConditionFailure = (error: unknown) =>
  (error as Error).name === 'ConditionalCheckFailedException';

/**
 * Users' connections in DynamoDB (the table is encrypted with the deployment's own KMS key): the
 * tokens, a refresh lease so one instance refreshes at a time, and pending authorizations that
 * are taken once and expire.
 *
 * @example
 * const store = new DynamoConnectionStore({ client, tableName });
 * const connection = await store.get('ana', 'crm');
 */
export class DynamoConnectionStore {
  readonly #client: Pick<DynamoDBDocumentClient, 'send'>;
  readonly #tableName: string;

  constructor(options: { client: Pick<DynamoDBDocumentClient, 'send'>; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async get(sub: string, system: string): Promise<StoredConnection | undefined> {
    const found = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { pk: userKey(sub), sk: systemKey(system) },
        ConsistentRead: true,
      }),
    );
    return found.Item ? toConnection(found.Item) : undefined;
  }

  async list(sub: string): Promise<StoredConnection[]> {
    const found = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :system)',
        ExpressionAttributeValues: { ':pk': userKey(sub), ':system': 'system#' },
      }),
    );
    return (found.Items ?? []).map(toConnection);
  }

  /** A new connection (or a new one over a broken or old one, which it answers, to revoke). */
  async connect(
    sub: string,
    system: string,
    tokens: UserTokenSet,
    at: Date,
  ): Promise<StoredConnection | undefined> {
    const replaced = await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          pk: userKey(sub),
          sk: systemKey(system),
          sub,
          system,
          status: 'connected',
          tokens,
          connectedAt: at.toISOString(),
          version: 1,
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return replaced.Attributes ? toConnection(replaced.Attributes) : undefined;
  }

  /**
   * Takes the right to refresh until `until` (epoch ms), unless another instance holds it: true
   * when this caller holds it now.
   */
  async claimRefresh(sub: string, system: string, until: number, now: number): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: userKey(sub), sk: systemKey(system) },
          UpdateExpression: 'SET lease = :until',
          ConditionExpression:
            'attribute_exists(pk) AND #status = :connected AND (attribute_not_exists(lease) OR lease < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':until': until, ':now': now, ':connected': 'connected' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Stores a refresh's tokens and gives up the lease; false when the connection went meanwhile. */
  async refreshed(sub: string, system: string, tokens: UserTokenSet, at: Date): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: userKey(sub), sk: systemKey(system) },
          UpdateExpression: 'SET tokens = :tokens, refreshedAt = :at ADD version :one REMOVE lease',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':tokens': tokens, ':at': at.toISOString(), ':one': 1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Gives up the lease without new tokens (the refresh failed for a passing reason). */
  async release(sub: string, system: string): Promise<void> {
    await this.#client
      .send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: userKey(sub), sk: systemKey(system) },
          UpdateExpression: 'REMOVE lease',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /** The system refused the refresh token: the tokens are dropped, the user must connect again. */
  async markBroken(sub: string, system: string): Promise<void> {
    await this.#client
      .send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: userKey(sub), sk: systemKey(system) },
          UpdateExpression: 'SET #status = :broken ADD version :one REMOVE tokens, lease',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':broken': 'broken', ':one': 1 },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /** Forgets a connection; answers what it held, so its tokens can be revoked at the system. */
  async remove(sub: string, system: string): Promise<StoredConnection | undefined> {
    const removed = await this.#client.send(
      new DeleteCommand({
        TableName: this.#tableName,
        Key: { pk: userKey(sub), sk: systemKey(system) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return removed.Attributes ? toConnection(removed.Attributes) : undefined;
  }

  async putPending(state: string, pending: PendingConnect): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          pk: stateKey(state),
          sk: 'pending',
          ...pending,
          // DynamoDB's TTL deletes it some time after; `expiresAt` is what is checked.
          ttl: Math.ceil(pending.expiresAt / 1000),
        },
      }),
    );
  }

  /** The pending authorization of `state`, deleted as it is read: a state works once. */
  async takePending(state: string): Promise<PendingConnect | undefined> {
    const removed = await this.#client.send(
      new DeleteCommand({
        TableName: this.#tableName,
        Key: { pk: stateKey(state), sk: 'pending' },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const item = removed.Attributes;
    if (!item) return undefined;
    return {
      sub: String(item.sub),
      system: String(item.system),
      verifier: String(item.verifier),
      redirectUri: String(item.redirectUri),
      expiresAt: Number(item.expiresAt),
    };
  }
}

export type ConnectionStore = Pick<
  DynamoConnectionStore,
  | 'get'
  | 'list'
  | 'connect'
  | 'claimRefresh'
  | 'refreshed'
  | 'release'
  | 'markBroken'
  | 'remove'
  | 'putPending'
  | 'takePending'
>;

function toConnection(item: Record<string, unknown>): StoredConnection {
  return {
    sub: String(item.sub),
    system: String(item.system),
    status: item.status === 'broken' ? 'broken' : 'connected',
    ...(item.tokens ? { tokens: item.tokens as UserTokenSet } : {}),
    connectedAt: String(item.connectedAt),
    ...(item.refreshedAt ? { refreshedAt: String(item.refreshedAt) } : {}),
    version: Number(item.version ?? 0),
    ...(typeof item.lease === 'number' ? { lease: item.lease } : {}),
  };
}
