import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent } from 'aws-lambda';
import { createSfnClient, createSqsClient } from '#layers/aws/clients.ts';
import { buildDependencies } from '#layers/runtime/dependencies.ts';
import { parseStateMachines, startSaga } from './start-sagas.ts';

const deps = buildDependencies(process.env);
if (!deps.env.WRITE_QUEUE_URL)
  throw new Error(
    'WRITE_QUEUE_URL must be set for the write worker: waiting writes change their visibility',
  );
const processor = new BatchProcessor(EventType.SQS);
const recordHandler = startSaga({
  sfn: createSfnClient(),
  stateMachines: parseStateMachines(deps.env.SAGA_STATE_MACHINES),
  registry: deps.registry,
  runner: deps.runner,
  logger: deps.logger,
  sqs: createSqsClient(),
  queueUrl: deps.env.WRITE_QUEUE_URL,
  operations: deps.writes().operations,
  wait: {
    windowSeconds: deps.env.WRITE_WAIT_WINDOW_SECONDS,
    firstDelaySeconds: deps.env.WRITE_WAIT_FIRST_DELAY_SECONDS,
  },
});

/** The write queue's worker: starts sagas; failed records return to the queue (partial batch failures). */
export const handler = async (event: SQSEvent, context: Context) => {
  deps.logger.addContext(context);
  // A whole failed batch is reported record by record too: each message returns to the queue.
  return processPartialResponse(event, recordHandler, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
};
