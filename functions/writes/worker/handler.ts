import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent } from 'aws-lambda';
import { createSfnClient, createSqsClient } from '#layers/aws/clients.ts';
import { writeWorkerRole } from '#layers/composition/roles.ts';
import { startSaga } from './start-sagas.ts';

const deps = writeWorkerRole(process.env);
const processor = new BatchProcessor(EventType.SQS);
const recordHandler = startSaga({
  sfn: createSfnClient(),
  stateMachinePrefix: deps.stateMachinePrefix,
  registry: deps.registry,
  runner: deps.runner,
  logger: deps.logger,
  sqs: createSqsClient(),
  queueUrl: deps.queueUrl,
  operations: deps.operations,
  wait: deps.wait,
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
