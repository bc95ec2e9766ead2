import type { Context, SNSEvent } from 'aws-lambda';
import { notifyRole } from '#layers/composition/roles.ts';
import { deliverNotifications } from './deliver.ts';

const deps = notifyRole(process.env);

/** The notifications topic's subscriber (SNS → Lambda): posts each notification to the chats. */
export const handler = async (event: SNSEvent, context: Context): Promise<void> => {
  deps.logger.addContext(context);
  await deliverNotifications(deps, event);
};
