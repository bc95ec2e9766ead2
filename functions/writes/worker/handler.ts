import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent } from 'aws-lambda';
import { createSfnClient } from '#layers/aws/clients.ts';
import { buildDependencies } from '#layers/runtime/dependencies.ts';
import { parseStateMachines, startSaga } from './start-sagas.ts';

const deps = buildDependencies(process.env);
const processor = new BatchProcessor(EventType.SQS);
const recordHandler = startSaga({
  sfn: createSfnClient(),
  stateMachines: parseStateMachines(deps.env.SAGA_STATE_MACHINES),
  registry: deps.registry,
  runner: deps.runner,
  logger: deps.logger,
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
