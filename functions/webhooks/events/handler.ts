import { webhookEventsRole } from '#layers/composition/roles.ts';
import { gatewayHandler } from '#layers/http/gateway-handler.ts';
import { listWebhookEvents } from './events.ts';

const deps = webhookEventsRole(process.env);

/** GET /webhooks/events. */
export const handler = gatewayHandler(deps, listWebhookEvents(deps));
