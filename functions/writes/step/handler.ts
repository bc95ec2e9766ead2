import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { sagaStepRole } from '#layers/composition/roles.ts';
import { recordOperationFailed } from '#layers/observability/metrics.ts';
import { type SagaStepEvent, sagaStep } from './saga-step.ts';

const deps = sagaStepRole(process.env);

const config = new IdempotencyConfig({
  // One record per operation, step and action: a redelivered or retried task that already
  // succeeded returns the stored result instead of writing upstream again.
  eventKeyJmesPath: '[operationId, step, action, outcome]',
  expiresAfterSeconds: 7 * 86_400,
});
const step = sagaStep({
  registry: deps.registry,
  runner: deps.runner,
  operations: deps.operations,
  logger: deps.logger,
  recordFailed: recordOperationFailed,
  notifier: deps.notifier,
});

/** A saga task: run or compensate one step of a confirmed write, or record its end. */
export const handler = makeIdempotent(
  async (event: SagaStepEvent, context: Context) => {
    deps.logger.addContext(context);
    deps.logger.setCorrelationId(event.operationId);
    return step(event);
  },
  {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: deps.idempotencyTable }),
    config,
  },
);
