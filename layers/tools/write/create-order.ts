import * as z from 'zod';
import { ConflictError, NotFoundError } from '../../errors/index.ts';
import { customerIdSchema } from '../../model/customer.ts';
import { crmWrites } from '../../systems/crm/crm-writes.ts';
import { erpOrderWrites } from '../../systems/erp/order-writes.ts';
import { erpOrders } from '../../systems/erp/orders.ts';
import { erpPrices } from '../../systems/erp/prices.ts';
import { connectorOf, defineWriteTool, type ToolContext, type WritePreview } from '../define.ts';

const lineSchema = z.strictObject({
  sku: z
    .string()
    .regex(/^SKU-\d{5}$/, 'SKUs look like SKU-10001')
    .describe('Product SKU, e.g. "SKU-10001".'),
  quantity: z.number().int().min(1).max(10_000).describe('Units to order (1-10000).'),
});

const inputSchema = z.strictObject({
  customerId: customerIdSchema,
  lines: z
    .array(lineSchema)
    .min(1, 'Give at least one order line')
    .max(20, 'At most 20 lines per order')
    .describe('What to order.'),
  contactId: z
    .string()
    .regex(/^\d+$/)
    .optional()
    .describe("CRM contact to log the order on; default: the customer's first contact."),
  reference: z
    .string()
    .trim()
    .max(80)
    .optional()
    .describe("Customer's own reference, e.g. their PO number."),
});
type Input = z.output<typeof inputSchema>;

const reserved = z.object({ reservationId: z.string() });
const created = z.object({
  orderId: z.string(),
  status: z.string(),
  total: z.number(),
  currency: z.string(),
});
const logged = z.object({ noteId: z.string() });
const previewedOrder = z.object({ total: z.number(), currency: z.string() });
const orderChange = (preview: WritePreview | undefined) =>
  preview?.changes.find((change) => change.field === 'order')?.after;

/** Merges repeated SKUs so stock is checked and reserved once per product. */
const mergedLines = (input: Input) => {
  const bySku = new Map<string, number>();
  for (const line of input.lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
};

/** Refuses when any line lacks stock; the same rule runs at preview and again before reserving. */
async function checkStock(ctx: ToolContext, lines: { sku: string; quantity: number }[]) {
  const stock = await erpOrders(connectorOf(ctx, 'erp')).stock(lines.map((line) => line.sku));
  if (stock.unknownSkus.length > 0) {
    throw new NotFoundError(
      'product_not_found',
      `The ERP does not know ${stock.unknownSkus.join(', ')}. Check the SKUs with check_inventory.`,
    );
  }
  const short = lines.filter(
    (line) => (stock.items.find((item) => item.sku === line.sku)?.available ?? 0) < line.quantity,
  );
  if (short.length > 0) {
    const detail = short
      .map(
        (line) =>
          `${line.sku}: ${stock.items.find((item) => item.sku === line.sku)?.available ?? 0} available, ${line.quantity} requested`,
      )
      .join('; ');
    throw new ConflictError(
      'insufficient_stock',
      `Not enough stock (${detail}). Offer a smaller quantity or another product.`,
    );
  }
  return stock;
}

async function contactFor(ctx: ToolContext, input: Input): Promise<string> {
  const customer = await crmWrites(connectorOf(ctx, 'crm')).customer(input.customerId);
  const contactId = input.contactId ?? customer.contactIds[0];
  if (!contactId || !customer.contactIds.includes(contactId)) {
    throw new NotFoundError(
      'contact_not_found',
      `${input.customerId} has no contact ${input.contactId ?? ''} to log the order on. get_customer lists the contacts.`,
    );
  }
  return contactId;
}

export const createOrder = defineWriteTool({
  name: 'create_order',
  title: 'Place an order',
  description:
    "Places a sales order for a customer: reserves the stock in the ERP, creates the order, and logs it on the customer contact in the CRM. Use it when the user wants to order products for a customer. The user confirms it in the console; an order over the deployment's threshold (an argument rule) needs a second person with the approver role instead. If any step fails, the earlier ones are undone.",
  risk: 'write',
  // Argument rules (infra/policy/orders.cedar) raise a large order to four eyes.
  confirmBy: 'self',
  systems: ['erp', 'crm'],
  input: inputSchema,
  output: z.object({
    orderId: z.string().describe('ERP order number of the new order.'),
    status: z.string().describe('Order status in the ERP, e.g. "pending".'),
    total: z.number().describe('Order total in the order currency.'),
    currency: z.string().describe('ISO 4217 currency code.'),
    reservationId: z.string().describe('ERP stock reservation the order consumed.'),
    crmNoteId: z.string().describe('CRM note that records the order on the contact.'),
  }),
  facts: {
    amount: {
      type: 'Long',
      description:
        "The order's total from the ERP's price list in the customer's currency, rounded up to whole units (from the preview).",
      value: ({ preview }) => Math.ceil(previewedOrder.parse(orderChange(preview)).total),
    },
    total: {
      type: 'Decimal',
      description:
        "The order's exact total from the ERP's price list in the customer's currency (from the preview), a Cedar decimal: `context.total.greaterThan(decimal(\"999.50\"))`.",
      value: ({ preview }) => previewedOrder.parse(orderChange(preview)).total,
    },
    currency: {
      type: 'String',
      description: "The order's ISO 4217 currency, e.g. EUR (from the preview).",
      value: ({ preview }) => previewedOrder.parse(orderChange(preview)).currency,
    },
  },
  async preview(ctx, input) {
    const erp = erpOrderWrites(connectorOf(ctx, 'erp'));
    const customer = await erp.customer(input.customerId);
    const lines = mergedLines(input);
    await checkStock(ctx, lines);
    const products = await Promise.all(lines.map((line) => erp.product(line.sku)));
    const inactive = products.filter((product) => !product.active).map((product) => product.sku);
    if (inactive.length > 0)
      throw new ConflictError(
        'product_inactive',
        `${inactive.join(', ')} can no longer be ordered.`,
      );
    // The approver confirms an amount: it must be the one the ERP books, so it comes from the
    // price list of the customer's currency, never from the products' list prices.
    const quote = await erpPrices(connectorOf(ctx, 'erp')).quote(customer.currency, lines);
    const priced = quote.lines.map((line, index) => ({
      sku: line.sku,
      name: products[index]?.name ?? line.sku,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      amount: line.amount,
    }));
    const contactId = await contactFor(ctx, input);
    const items = priced.map((line) => `${line.quantity} × ${line.name} (${line.sku})`).join(', ');
    return {
      summary: `Order for ${customer.name} (${input.customerId}): ${items}; total ${quote.total.toFixed(2)} ${quote.currency} from the ERP's ${quote.currency} price list. Stock is reserved in the ERP and the order is logged on CRM contact ${contactId}.`,
      changes: [
        {
          field: 'order',
          before: null,
          after: {
            customerId: input.customerId,
            lines: priced,
            total: quote.total,
            currency: quote.currency,
          },
        },
      ],
      details: { customer: customer.name, contactId },
    };
  },
  steps: [
    {
      name: 'reserve_stock',
      system: 'erp',
      // The ERP honours Idempotency-Key: a repeat answers with the first outcome.
      repeatable: true,
      async run(ctx, input) {
        const lines = mergedLines(input);
        await checkStock(ctx, lines);
        return erpOrderWrites(connectorOf(ctx, 'erp')).reserve(
          input.customerId,
          lines,
          ctx.idempotencyKey,
        );
      },
      async compensate(ctx, _input, result) {
        await erpOrderWrites(connectorOf(ctx, 'erp')).release(reserved.parse(result).reservationId);
      },
    },
    {
      name: 'create_order',
      system: 'erp',
      // The ERP honours Idempotency-Key: a repeat answers with the first outcome.
      repeatable: true,
      async run(ctx, input) {
        const { reservationId } = reserved.parse(ctx.results.reserve_stock);
        return erpOrderWrites(connectorOf(ctx, 'erp')).create(
          input.customerId,
          reservationId,
          mergedLines(input),
          input.reference,
          ctx.idempotencyKey,
        );
      },
      async compensate(ctx, _input, result) {
        await erpOrderWrites(connectorOf(ctx, 'erp')).cancel(created.parse(result).orderId);
      },
    },
    {
      name: 'log_activity',
      system: 'crm',
      async run(ctx, input) {
        const order = created.parse(ctx.results.create_order);
        const contactId = await contactFor(ctx, input);
        const lines = mergedLines(input)
          .map((line) => `${line.quantity} × ${line.sku}`)
          .join(', ');
        return crmWrites(connectorOf(ctx, 'crm')).addNote(
          contactId,
          `Order ${order.orderId} placed via Toolgate: ${lines}; total ${order.total.toFixed(2)} ${order.currency}.`,
        );
      },
      async compensate(ctx, _input, result) {
        await crmWrites(connectorOf(ctx, 'crm')).removeNote(logged.parse(result).noteId);
      },
    },
  ],
  result: (results) => {
    const order = created.parse(results.create_order);
    return {
      ...order,
      reservationId: reserved.parse(results.reserve_stock).reservationId,
      crmNoteId: logged.parse(results.log_activity).noteId,
    };
  },
});
