import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { LISTED_OPERATION, operationsTable } from './operations-table.ts';

export type OperationStatus = 'queued' | 'running' | 'succeeded' | 'rolled_back' | 'failed';
export type StepStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'compensating'
  | 'compensated'
  | 'compensation_failed'
  /** A try timed out: the system may or may not have applied it. */
  | 'outcome_unknown';

export interface OperationStep {
  name: string;
  status: StepStatus;
  /** Runs of the step, retries included. */
  attempts: number;
  /** Runs of its compensation, when it was undone. */
  compensationAttempts?: number;
  result?: unknown;
}

/** A confirmed write and how far it got. */
export interface Operation {
  id: string;
  tool: string;
  /** Who proposed the write. */
  owner: string;
  /** The owner's roles when proposing; absent on operations recorded before they were kept. */
  ownerRoles?: readonly string[];
  confirmedBy: string;
  confirmationId: string;
  input: unknown;
  status: OperationStatus;
  steps: OperationStep[];
  result?: unknown;
  error?: { code: string; message: string };
  createdAt: string;
  updatedAt: string;
}

export interface OperationStore {
  get(id: string): Promise<Operation | undefined>;
  /** Creates the operation unless it exists; returns whichever is stored. */
  createIfAbsent(operation: Operation): Promise<Operation>;
  markRunning(id: string): Promise<void>;
  stepStarted(id: string, step: string, status: 'running' | 'compensating'): Promise<void>;
  stepEnded(id: string, step: string, status: StepStatus, result?: unknown): Promise<void>;
  finish(
    id: string,
    status: OperationStatus,
    outcome: { result?: unknown; error?: { code: string; message: string } },
  ): Promise<void>;
  /**
   * Ends an operation that never started (still `queued`) as `rolled_back`: nothing was written.
   * False when it started meanwhile, which then ends as its saga decides.
   */
  abandon(id: string, error: { code: string; message: string }): Promise<boolean>;
}

const RETENTION_SECONDS = 90 * 86_400;

const conditionFailed = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error as Error).name === 'ConditionalCheckFailedException';

/** A stored item as an operation: input, results and steps are kept as JSON text and a map. */
export function operationFromItem(item: Record<string, unknown>): Operation {
  const order = item.stepOrder as string[];
  const steps = item.steps as Record<
    string,
    { status: StepStatus; attempts: number; compensationAttempts?: number; result?: string }
  >;
  return {
    id: item.pk as string,
    tool: item.tool as string,
    owner: item.owner as string,
    ...(item.ownerRoles === undefined ? {} : { ownerRoles: item.ownerRoles as string[] }),
    confirmedBy: item.confirmedBy as string,
    confirmationId: item.confirmationId as string,
    input: JSON.parse(item.input as string),
    status: item.status as OperationStatus,
    steps: order.map((name) => {
      const step = steps[name] ?? { status: 'pending' as const, attempts: 0 };
      return {
        name,
        status: step.status,
        attempts: step.attempts,
        ...(step.compensationAttempts ? { compensationAttempts: step.compensationAttempts } : {}),
        ...(step.result === undefined ? {} : { result: JSON.parse(step.result) }),
      };
    }),
    ...(item.result === undefined ? {} : { result: JSON.parse(item.result as string) }),
    ...(item.error === undefined ? {} : { error: item.error as { code: string; message: string } }),
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

/**
 * Operations in DynamoDB, one item each; steps in a map keyed by step name, so a step's status and
 * attempts are updated in place (`ADD` counts attempts even when a step is retried concurrently).
 */
export class DynamoOperationStore implements OperationStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async get(id: string): Promise<Operation | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { pk: id }, ConsistentRead: true }),
    );
    return Item ? operationFromItem(Item) : undefined;
  }

  async createIfAbsent(operation: Operation): Promise<Operation> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: operation.id,
            tool: operation.tool,
            owner: operation.owner,
            ...(operation.ownerRoles ? { ownerRoles: operation.ownerRoles } : {}),
            confirmedBy: operation.confirmedBy,
            confirmationId: operation.confirmationId,
            input: JSON.stringify(operation.input),
            status: operation.status,
            stepOrder: operation.steps.map((step) => step.name),
            steps: Object.fromEntries(
              operation.steps.map((step) => [
                step.name,
                { status: step.status, attempts: step.attempts },
              ]),
            ),
            createdAt: operation.createdAt,
            updatedAt: operation.updatedAt,
            [operationsTable.byCreatedIndex.partitionKey]: LISTED_OPERATION,
            ttl: Math.floor(Date.parse(operation.createdAt) / 1000) + RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return operation;
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const existing = await this.get(operation.id);
      if (!existing) throw error;
      return existing;
    }
  }

  async markRunning(id: string): Promise<void> {
    await this.#update(
      id,
      'SET #status = :running, updatedAt = :now',
      { ':running': 'running', ':queued': 'queued' },
      '#status = :queued',
      true,
    );
  }

  async stepStarted(id: string, step: string, status: 'running' | 'compensating'): Promise<void> {
    await this.#update(
      id,
      `SET steps.#step.#status = :status, updatedAt = :now ADD steps.#step.${status === 'running' ? 'attempts' : 'compensationAttempts'} :one`,
      { ':status': status, ':one': 1 },
      undefined,
      false,
      { '#step': step },
    );
  }

  async stepEnded(id: string, step: string, status: StepStatus, result?: unknown): Promise<void> {
    const withResult = result !== undefined;
    await this.#update(
      id,
      `SET steps.#step.#status = :status, updatedAt = :now${withResult ? ', steps.#step.#result = :result' : ''}`,
      { ':status': status, ...(withResult ? { ':result': JSON.stringify(result) } : {}) },
      undefined,
      false,
      { '#step': step, ...(withResult ? { '#result': 'result' } : {}) },
    );
  }

  async finish(
    id: string,
    status: OperationStatus,
    outcome: { result?: unknown; error?: { code: string; message: string } },
  ): Promise<void> {
    const sets = ['#status = :status', 'updatedAt = :now'];
    const values: Record<string, unknown> = { ':status': status };
    if (outcome.result !== undefined) {
      sets.push('#result = :result');
      values[':result'] = JSON.stringify(outcome.result);
    }
    if (outcome.error) {
      sets.push('#error = :error');
      values[':error'] = outcome.error;
    }
    await this.#update(id, `SET ${sets.join(', ')}`, values, undefined, false, {
      ...(outcome.result !== undefined ? { '#result': 'result' } : {}),
      ...(outcome.error ? { '#error': 'error' } : {}),
    });
  }

  async abandon(id: string, error: { code: string; message: string }): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: id },
          UpdateExpression: 'SET #status = :rolledBack, #error = :error, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND #status = :queued',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: {
            ':rolledBack': 'rolled_back',
            ':queued': 'queued',
            ':error': error,
            ':now': new Date().toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async #update(
    id: string,
    expression: string,
    values: Record<string, unknown>,
    condition: string | undefined,
    ignoreConditionFailure: boolean,
    names: Record<string, string> = {},
  ): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: id },
          UpdateExpression: expression,
          ConditionExpression: condition
            ? `attribute_exists(pk) AND ${condition}`
            : 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status', ...names },
          ExpressionAttributeValues: { ...values, ':now': new Date().toISOString() },
        }),
      );
    } catch (error) {
      if (!(conditionFailed(error) && ignoreConditionFailure)) throw error;
    }
  }
}
