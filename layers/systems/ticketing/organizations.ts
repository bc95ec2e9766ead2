import * as z from 'zod';
import type { Connector } from '../../connectors/connector.ts';
import { NotFoundError } from '../../errors/index.ts';

const organizationSearch = z.object({
  organizations: z.array(
    z.object({ id: z.number(), name: z.string(), external_id: z.string().nullable() }),
  ),
});

/**
 * The Zendesk organization of a customer: its `external_id` is the customer number.
 *
 * @example
 * const { id, name } = await findOrganization(ticketing, 'C-00021');
 */
export async function findOrganization(
  ticketing: Connector,
  customerId: string,
): Promise<{ id: number; name: string }> {
  const search = await ticketing.request({
    operation: 'organizations.search',
    path: '/api/v2/organizations/search.json',
    query: { external_id: customerId },
    response: organizationSearch,
  });
  const organization = search.organizations.find((org) => org.external_id === customerId);
  if (!organization) {
    throw new NotFoundError(
      'customer_not_found',
      `The ticketing system has no organization for customer ${customerId}. Check the id with search_customers.`,
    );
  }
  return { id: organization.id, name: organization.name };
}
