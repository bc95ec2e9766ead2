import * as z from 'zod';

/**
 * What every webhook delivery becomes, whatever its sender: one event per change, keyed by the
 * sender's own id so that a redelivery is recognised.
 */
export const canonicalEventSchema = z.object({
  /** `<source>:<the sender's event or delivery id>`. */
  id: z.string().min(1),
  /** The webhook source it came from, e.g. `hubspot`. */
  source: z.string().min(1),
  /** The sender's event type, e.g. `contact.propertyChange`, `customer.updated`. */
  type: z.string().min(1),
  /** The thing that changed: a system of ours (crm, erp, ticketing) or the sender itself. */
  entity: z.object({ system: z.string(), type: z.string(), id: z.string() }),
  /** When it happened, ISO 8601. */
  occurredAt: z.iso.datetime({ offset: true }),
  /** The sender's own payload for this event. */
  payload: z.unknown(),
});
export type CanonicalEvent = z.output<typeof canonicalEventSchema>;
