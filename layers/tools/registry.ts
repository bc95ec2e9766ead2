import { declarationFiles } from '../systems/declared/index.ts';
import { systems } from '../systems/registry.ts';
import { checkDeclaredTools, loadDeclaredTools } from './declared/declared-tools.ts';
import type { AnyTool } from './define.ts';
import { checkInventory } from './read/check-inventory.ts';
import { getCustomer } from './read/get-customer.ts';
import { getCustomerContext } from './read/get-customer-context.ts';
import { getCustomerOrders } from './read/get-customer-orders.ts';
import { getCustomerTickets } from './read/get-customer-tickets.ts';
import { getOrderStatus } from './read/get-order-status.ts';
import { getProductCatalog } from './read/get-product-catalog.ts';
import { getDeliveryExceptions, getShipmentTracking } from './read/logistics-tools.ts';
import { searchCustomers } from './read/search-customers.ts';
import { createRegistry } from './tool-registry.ts';
import { createOrder } from './write/create-order.ts';
import { createTicket } from './write/create-ticket.ts';
import { sendEmail } from './write/send-email.ts';
import { updateCustomerContact } from './write/update-customer-contact.ts';

/** Every tool the gateway offers. The CDK app loops over this list: a route and a function each. */
export const tools: readonly AnyTool[] = [
  searchCustomers,
  getCustomer,
  getCustomerOrders,
  getOrderStatus,
  checkInventory,
  getProductCatalog,
  getCustomerTickets,
  getCustomerContext,
  getShipmentTracking,
  getDeliveryExceptions,
  createTicket,
  updateCustomerContact,
  createOrder,
  sendEmail,
  // Declared as data (layers/systems/declared/<system>/tools/), e.g. imported from OpenAPI.
  ...loadDeclaredTools(declarationFiles, systems),
];

export const registry = createRegistry(tools);

/**
 * Validates every declared tool now (the CDK app and local mode call it at start); a function
 * serving one tool validates only its own, when it first uses it.
 */
export const checkDeclarations = (): void => checkDeclaredTools(tools);
