import * as z from 'zod';
import { customerIdSchema } from '../../model/customer.ts';
import { zendeskTicketWrites } from '../../systems/ticketing/ticket-writes.ts';
import { connectorOf, defineWriteTool } from '../define.ts';

const createdSchema = z.object({ ticketId: z.string(), status: z.string() });

export const createTicket = defineWriteTool({
  name: 'create_ticket',
  title: 'Open a support ticket',
  description:
    'Opens a support ticket for a customer in the ticketing system. Use it when the user reports a problem or asks for follow-up that the support team must handle. Nothing is created until the returned confirmation is confirmed with POST /confirmations/{id}.',
  risk: 'write',
  confirmBy: 'self',
  // A ticket is cheap to close again: the agent may relay the user's yes in the conversation.
  confirmAt: 'conversation',
  systems: ['ticketing'],
  input: z.strictObject({
    customerId: customerIdSchema,
    subject: z
      .string()
      .trim()
      .min(3)
      .max(150)
      .describe('One-line summary of the problem, e.g. "Order SO-100042 arrived damaged".'),
    description: z
      .string()
      .trim()
      .min(10)
      .max(5000)
      .describe('What happened and what the customer needs, in plain words.'),
    priority: z
      .enum(['low', 'normal', 'high', 'urgent'])
      .default('normal')
      .describe('Ticket priority. Default normal.'),
    type: z
      .enum(['problem', 'incident', 'question', 'task'])
      .default('question')
      .describe('Ticket type. Default question.'),
  }),
  output: z.object({
    ticketId: z.string().describe('Id of the new ticket.'),
    status: z.string().describe('Status of the new ticket, e.g. "new".'),
  }),
  async preview(ctx, input) {
    const organization = await zendeskTicketWrites(connectorOf(ctx, 'ticketing')).organization(
      input.customerId,
    );
    return {
      summary: `Open a ${input.priority}-priority ${input.type} ticket for ${organization.name} (${input.customerId}): "${input.subject}".`,
      changes: [
        {
          field: 'ticket',
          before: null,
          after: { subject: input.subject, priority: input.priority, type: input.type },
        },
      ],
      details: { organization: organization.name },
    };
  },
  steps: [
    {
      name: 'create_ticket',
      system: 'ticketing',
      // Zendesk honours Idempotency-Key on ticket creation: a repeat answers with the first ticket.
      repeatable: true,
      async run(ctx, input) {
        const tickets = zendeskTicketWrites(connectorOf(ctx, 'ticketing'));
        const organization = await tickets.organization(input.customerId);
        return tickets.create(organization.id, input, ctx.idempotencyKey);
      },
      async compensate(ctx, _input, result) {
        const { ticketId } = createdSchema.parse(result);
        await zendeskTicketWrites(connectorOf(ctx, 'ticketing')).remove(ticketId);
      },
    },
  ],
  result: (results) => createdSchema.parse(results.create_ticket),
});
