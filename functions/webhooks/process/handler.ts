import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { webhookProcessRole } from '#layers/composition/roles.ts';
import { processEvent } from '#layers/webhooks/process.ts';

const deps = await webhookProcessRole(process.env);
const processor = new BatchProcessor(EventType.SQS);

const recordHandler = async (record: SQSRecord) => {
  const outcome = await processEvent(deps, JSON.parse(record.body));
  if (outcome === 'duplicate')
    deps.logger.info('event already processed', { id: record.messageId });
};

/** The events queue's worker: failed records return to the queue (partial batch failures). */
export const handler = async (event: SQSEvent, context: Context) => {
  deps.logger.addContext(context);
  return processPartialResponse(event, recordHandler, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
};
