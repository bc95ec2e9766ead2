import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  getSeed,
  REFERENCE_TIME,
  SAMPLE_CUSTOMER_NUMBERS,
  unitPriceIn,
  VOLUMES,
} from '#local/sandboxes/seed.ts';

const DAY = 86_400_000;
const seed = getSeed();
const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const share = <T>(items: T[], test: (item: T) => boolean) =>
  items.filter(test).length / items.length;

describe('getSeed', () => {
  it('returns the same cached object on every call', () => {
    // Act
    const again = getSeed();

    // Assert
    expect(again).toBe(seed);
  });

  it('generates the same data in another process', () => {
    // Act
    const other = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "import('#local/sandboxes/seed.ts').then(({ getSeed }) => process.stdout.write(require('node:crypto').createHash('sha256').update(JSON.stringify(getSeed())).digest('hex')))",
      ],
      { encoding: 'utf8' },
    );

    // Assert
    expect(other).toBe(digest(seed));
  });

  it('holds the promised volumes', () => {
    // Assert
    expect(seed.companies).toHaveLength(VOLUMES.companies);
    expect(seed.products).toHaveLength(VOLUMES.products);
    expect(seed.orders).toHaveLength(VOLUMES.orders);
    expect(seed.tickets).toHaveLength(VOLUMES.tickets);
    expect(VOLUMES).toEqual({ companies: 250, products: 160, orders: 2500, tickets: 600 });
    for (const company of seed.companies) {
      expect(company.contactIds.length).toBeGreaterThanOrEqual(1);
      expect(company.contactIds.length).toBeLessThanOrEqual(5);
    }
    expect(seed.contacts.length).toBe(
      seed.companies.reduce((sum, company) => sum + company.contactIds.length, 0),
    );
  });

  it('numbers customers C-00001 onwards and keys every order by one of them', () => {
    // Arrange
    const numbers = seed.companies.map((company) => company.customerNumber);

    // Assert
    expect(numbers[0]).toBe('C-00001');
    expect(numbers.at(-1)).toBe('C-00250');
    expect(new Set(numbers).size).toBe(numbers.length);
    const known = new Set(numbers);
    for (const order of seed.orders) expect(known.has(order.customerNumber)).toBe(true);
  });

  it('uses unique ids everywhere', () => {
    // Assert
    const unique = (values: unknown[]) => new Set(values).size === values.length;
    expect(unique(seed.companies.map((c) => c.crmId))).toBe(true);
    expect(unique(seed.companies.map((c) => c.organizationId))).toBe(true);
    expect(unique(seed.companies.map((c) => c.name))).toBe(true);
    expect(unique(seed.contacts.map((c) => c.crmId))).toBe(true);
    expect(unique(seed.contacts.map((c) => c.email))).toBe(true);
    expect(unique(seed.products.map((p) => p.sku))).toBe(true);
    expect(unique(seed.orders.map((o) => o.orderNumber))).toBe(true);
    expect(unique(seed.tickets.map((t) => t.id))).toBe(true);
  });

  it('names SKUs SKU-10001 onwards and stocks each in 2 or 3 known warehouses', () => {
    // Assert
    expect(seed.products[0]?.sku).toBe('SKU-10001');
    expect(seed.products.at(-1)?.sku).toBe('SKU-10160');
    for (const product of seed.products) {
      const rows = seed.stock.filter((row) => row.sku === product.sku);
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.length).toBeLessThanOrEqual(3);
      for (const row of rows) {
        expect(['WH-BERLIN', 'WH-DALLAS', 'WH-SINGAPORE']).toContain(row.warehouse);
        expect(row.reserved).toBeLessThanOrEqual(row.onHand);
      }
    }
  });

  it('dates orders over the 18 months before the reference date, consistently by status', () => {
    // Assert
    expect(new Date(REFERENCE_TIME).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    for (const order of seed.orders) {
      expect(order.orderedAt).toBeLessThanOrEqual(REFERENCE_TIME);
      expect(order.orderedAt).toBeGreaterThanOrEqual(REFERENCE_TIME - 550 * DAY);
      expect(order.lines.length).toBeGreaterThanOrEqual(1);
      expect(order.lines.length).toBeLessThanOrEqual(6);
      expect(order.shippedAt !== null).toBe(
        order.status === 'shipped' || order.status === 'delivered',
      );
      expect(order.deliveredAt !== null).toBe(order.status === 'delivered');
      if (order.shippedAt) expect(order.shippedAt).toBeGreaterThan(order.orderedAt);
      if (order.deliveredAt && order.shippedAt)
        expect(order.deliveredAt).toBeGreaterThan(order.shippedAt);
      expect(order.trackingNumber !== null).toBe(order.shippedAt !== null);
    }
  });

  it('gives order statuses realistic shares: mostly delivered, some in flight, a few cancelled', () => {
    // Assert
    expect(share(seed.orders, (o) => o.status === 'delivered')).toBeGreaterThan(0.8);
    expect(share(seed.orders, (o) => o.status === 'cancelled')).toBeGreaterThan(0.02);
    expect(share(seed.orders, (o) => o.status === 'cancelled')).toBeLessThan(0.1);
    expect(seed.orders.some((o) => o.status === 'pending')).toBe(true);
    expect(seed.orders.some((o) => o.status === 'shipped')).toBe(true);
  });

  it('prices order lines in the customer’s currency', () => {
    // Arrange
    const companies = new Map(seed.companies.map((c) => [c.customerNumber, c]));
    const products = new Map(seed.products.map((p) => [p.sku, p]));

    // Assert
    for (const order of seed.orders) {
      expect(order.currency).toBe(companies.get(order.customerNumber)?.currency);
      for (const line of order.lines) {
        const product = products.get(line.sku);
        expect(product).toBeDefined();
        expect(line.unitPrice).toBe(unitPriceIn(product!, order.currency));
      }
    }
  });

  it('raises tickets from contacts of the organization’s company', () => {
    // Arrange
    const companies = new Map(seed.companies.map((c) => [c.organizationId, c]));
    const contacts = new Map(seed.contacts.map((c) => [c.userId, c]));
    const agents = new Set(seed.agents.map((a) => a.userId));

    // Assert
    for (const ticket of seed.tickets) {
      const company = companies.get(ticket.organizationId);
      const requester = contacts.get(ticket.requesterId);
      expect(company).toBeDefined();
      expect(requester?.companyCrmId).toBe(company?.crmId);
      if (ticket.assigneeId !== null) expect(agents.has(ticket.assigneeId)).toBe(true);
      expect(ticket.updatedAt).toBeGreaterThanOrEqual(ticket.createdAt);
      expect(ticket.updatedAt).toBeLessThanOrEqual(REFERENCE_TIME);
    }
    const statuses = new Set(seed.tickets.map((t) => t.status));
    expect([...statuses].sort()).toEqual(['closed', 'hold', 'new', 'open', 'pending', 'solved']);
  });

  it('gives every customer orders and tickets, the sample customers several of each', () => {
    // Arrange
    const orgOf = new Map(seed.companies.map((c) => [c.organizationId, c.customerNumber]));
    const ordersOf = (number: string) => seed.orders.filter((o) => o.customerNumber === number);
    const ticketsOf = (number: string) =>
      seed.tickets.filter((t) => orgOf.get(t.organizationId) === number);

    // Assert
    for (const company of seed.companies) {
      expect(ordersOf(company.customerNumber).length).toBeGreaterThanOrEqual(1);
      expect(ticketsOf(company.customerNumber).length).toBeGreaterThanOrEqual(1);
    }
    for (const number of SAMPLE_CUSTOMER_NUMBERS) {
      expect(ordersOf(number).length).toBeGreaterThanOrEqual(10);
      expect(new Set(ordersOf(number).map((o) => o.status)).size).toBeGreaterThanOrEqual(2);
      expect(ticketsOf(number).length).toBeGreaterThanOrEqual(1);
    }
  });
});
