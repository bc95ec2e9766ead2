import { seededRandom } from './prng.ts';
import * as words from './words.ts';

/** All seed data is dated relative to this instant, so it is the same on every start. */
export const REFERENCE_TIME = Date.parse('2026-11-01T00:00:00.000Z');
const DAY = 86_400_000;

export const VOLUMES = { companies: 250, products: 160, orders: 2500, tickets: 600 } as const;

/**
 * Customers with orders in several statuses and tickets in every system, for tests and demos:
 * `C-00001` (78 orders, the most), `C-00007` (26 orders, 3 tickets), `C-00021` (15 orders,
 * 3 tickets, one open). Every customer has at least one order, one ticket and one contact.
 */
export const SAMPLE_CUSTOMER_NUMBERS = ['C-00001', 'C-00007', 'C-00021'] as const;

/** Fixed exchange rate of the ERP's EUR price list (product prices are kept in USD). */
export const EUR_PER_USD = 0.92;

/** The ERP's price lists, one per currency it sells in, as a rate on the USD list price. */
export const PRICE_LISTS: Readonly<Record<string, number>> = { USD: 1, EUR: EUR_PER_USD };

/** A product's unit price in an order's currency (that currency's price list), rounded to cents. */
export function unitPriceIn(product: Pick<SeedProduct, 'unitPrice'>, currency: string): number {
  const rate = PRICE_LISTS[currency];
  // A price in another currency would be a wrong price: no list, no price.
  if (rate === undefined) throw new Error(`The ERP has no ${currency} price list`);
  return Math.round(product.unitPrice * rate * 100) / 100;
}

export interface SeedCompany {
  crmId: string;
  customerNumber: string;
  name: string;
  domain: string;
  industry: string;
  city: string;
  country: string;
  phone: string | null;
  employees: number;
  annualRevenue: number;
  lifecycleStage: string;
  createdAt: number;
  updatedAt: number;
  currency: string;
  creditLimit: number;
  paymentTerms: string;
  organizationId: number;
  contactIds: string[];
}
export interface SeedContact {
  crmId: string;
  userId: number;
  companyCrmId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  jobTitle: string;
  createdAt: number;
  updatedAt: number;
}
export interface SeedProduct {
  sku: string;
  name: string;
  category: string;
  unitPrice: number;
  currency: string;
  active: boolean;
  unit: string;
}
export interface SeedStock {
  sku: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  updatedAt: number;
}
export type OrderStatus = 'pending' | 'shipped' | 'delivered' | 'cancelled';
export interface SeedOrder {
  orderNumber: string;
  customerNumber: string;
  status: OrderStatus;
  orderedAt: number;
  shippedAt: number | null;
  deliveredAt: number | null;
  carrier: string | null;
  trackingNumber: string | null;
  currency: string;
  lines: {
    lineNo: number;
    sku: string;
    description: string;
    quantity: number;
    unitPrice: number;
  }[];
}
export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
export interface SeedTicket {
  id: number;
  subject: string;
  description: string;
  status: TicketStatus;
  priority: 'low' | 'normal' | 'high' | 'urgent' | null;
  type: 'problem' | 'incident' | 'question' | 'task' | null;
  requesterId: number;
  assigneeId: number | null;
  organizationId: number;
  tags: string[];
  channel: 'email' | 'web' | 'api';
  createdAt: number;
  updatedAt: number;
}
export interface SeedAgent {
  userId: number;
  name: string;
  email: string;
}

export interface Seed {
  companies: SeedCompany[];
  contacts: SeedContact[];
  products: SeedProduct[];
  stock: SeedStock[];
  orders: SeedOrder[];
  tickets: SeedTicket[];
  agents: SeedAgent[];
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '');

function generate(): Seed {
  const random = seededRandom(20261101);
  const companies: SeedCompany[] = [];
  const contacts: SeedContact[] = [];
  const names = words.companyStems.flatMap((stem) =>
    words.companySuffixes.map((suffix) => `${stem} ${suffix}`),
  );
  // Deterministic shuffle of the name combinations, then take as many as needed.
  for (let index = names.length - 1; index > 0; index--) {
    const other = random.int(0, index);
    [names[index], names[other]] = [names[other] as string, names[index] as string];
  }
  for (let index = 0; index < VOLUMES.companies; index++) {
    const name = names[index] ?? `Company ${index}`;
    const [city, country] = random.pick(words.places);
    const createdAt = REFERENCE_TIME - random.int(200, 1500) * DAY;
    const company: SeedCompany = {
      crmId: String(18_000_000_000 + index * 7919),
      customerNumber: `C-${String(index + 1).padStart(5, '0')}`,
      name,
      domain: `${slug(name)}.example`,
      industry: random.pick(words.industries),
      city,
      country,
      phone: random.chance(0.9) ? `+1 555 ${String(random.int(1000000, 9999999))}` : null,
      employees: random.int(5, 5000),
      annualRevenue: random.int(2, 800) * 100_000,
      lifecycleStage: random.pick(words.lifecycleStages),
      createdAt,
      updatedAt: createdAt + random.int(1, 190) * DAY,
      currency: country === 'United States' || country === 'Canada' ? 'USD' : 'EUR',
      creditLimit: random.int(5, 200) * 1000,
      paymentTerms: random.pick(['NET30', 'NET30', 'NET60', 'PREPAID']),
      organizationId: 360_000_000 + index + 1,
      contactIds: [],
    };
    const contactCount = random.int(1, 5);
    for (let c = 0; c < contactCount; c++) {
      const firstName = random.pick(words.firstNames);
      const lastName = random.pick(words.lastNames);
      const contactIndex = contacts.length;
      const contact: SeedContact = {
        crmId: String(51_000_000_000 + contactIndex * 104_729),
        userId: 370_000_000 + contactIndex + 1,
        companyCrmId: company.crmId,
        firstName,
        lastName,
        email: `${slug(firstName)}.${slug(lastName)}${contactIndex}@${company.domain}`,
        phone: random.chance(0.7) ? `+1 555 ${String(random.int(1000000, 9999999))}` : null,
        jobTitle: random.pick(words.jobTitles),
        createdAt: company.createdAt + random.int(0, 100) * DAY,
        updatedAt: company.updatedAt,
      };
      contacts.push(contact);
      company.contactIds.push(contact.crmId);
    }
    companies.push(company);
  }

  const products: SeedProduct[] = [];
  const stock: SeedStock[] = [];
  for (let index = 0; index < VOLUMES.products; index++) {
    const [kind, category] = words.productKinds[index % words.productKinds.length] ?? [
      'Item',
      'Misc',
    ];
    const grade =
      words.productGrades[
        Math.floor(index / words.productKinds.length) % words.productGrades.length
      ];
    const sku = `SKU-${10001 + index}`;
    products.push({
      sku,
      name: `${kind} ${grade}`,
      category,
      unitPrice: random.int(300, 250_000) / 100,
      currency: 'USD',
      active: random.chance(0.95),
      unit: 'each',
    });
    const where = words.warehouses.filter(() => random.chance(0.75));
    for (const warehouse of where.length >= 2 ? where : words.warehouses.slice(0, 2)) {
      const onHand = random.chance(0.1) ? 0 : random.int(0, 900);
      stock.push({
        sku,
        warehouse,
        onHand,
        reserved: Math.min(onHand, random.int(0, 60)),
        updatedAt: REFERENCE_TIME - random.int(0, 72) * 3_600_000,
      });
    }
  }

  const dates = Array.from(
    { length: VOLUMES.orders },
    () => REFERENCE_TIME - random.int(0, 540 * 24) * 3_600_000,
  );
  dates.sort((a, b) => a - b);
  const orders: SeedOrder[] = dates.map((orderedAt, index) => {
    const company = companies[Math.floor(random.next() ** 1.6 * companies.length)] as SeedCompany;
    const ageDays = (REFERENCE_TIME - orderedAt) / DAY;
    let status: OrderStatus;
    if (random.chance(0.05)) status = 'cancelled';
    else if (ageDays < 3) status = 'pending';
    else if (ageDays < 10) status = random.chance(0.6) ? 'shipped' : 'pending';
    else if (ageDays < 20) status = random.chance(0.7) ? 'delivered' : 'shipped';
    else status = 'delivered';
    const shippedAt =
      status === 'shipped' || status === 'delivered'
        ? orderedAt + random.int(12, 96) * 3_600_000
        : null;
    const deliveredAt =
      status === 'delivered' && shippedAt ? shippedAt + random.int(24, 144) * 3_600_000 : null;
    const carrier = shippedAt ? random.pick(words.carriers) : null;
    const lineCount = random.int(1, 6);
    const lines = Array.from({ length: lineCount }, (_, lineIndex) => {
      const product = random.pick(products);
      return {
        lineNo: lineIndex + 1,
        sku: product.sku,
        description: product.name,
        quantity: random.int(1, 40),
        unitPrice: unitPriceIn(product, company.currency),
      };
    });
    return {
      orderNumber: `SO-${100001 + index}`,
      customerNumber: company.customerNumber,
      status,
      orderedAt,
      shippedAt,
      deliveredAt,
      carrier,
      trackingNumber: carrier
        ? `${carrier.slice(0, 2).toUpperCase()}${random.int(100000000, 999999999)}`
        : null,
      currency: company.currency,
      lines,
    };
  });
  // Every customer number has at least one order, so each customer can be looked up end to end.
  const productsBySku = new Map(products.map((product) => [product.sku, product]));
  companies.forEach((company, index) => {
    const order = orders[index * 7];
    if (!order) return;
    order.customerNumber = company.customerNumber;
    order.currency = company.currency;
    for (const line of order.lines) {
      const product = productsBySku.get(line.sku);
      if (product) line.unitPrice = unitPriceIn(product, company.currency);
    }
  });

  const agents: SeedAgent[] = ['Alex Support', 'Sam Helpdesk', 'Kim Service', 'Jo Care'].map(
    (name, index) => ({
      userId: 380_000_000 + index + 1,
      name,
      email: `${slug(name)}@acme.example`,
    }),
  );
  const statusWeights: TicketStatus[] = [
    'new',
    'open',
    'open',
    'pending',
    'hold',
    'solved',
    'solved',
    'closed',
    'closed',
    'closed',
  ];
  const tickets: SeedTicket[] = [];
  for (let index = 0; index < VOLUMES.tickets; index++) {
    const company =
      index < companies.length ? (companies[index] as SeedCompany) : random.pick(companies);
    const requesterId = random.pick(company.contactIds);
    const requester = contacts.find((contact) => contact.crmId === requesterId) as SeedContact;
    const createdAt = REFERENCE_TIME - random.int(1, 365 * 24) * 3_600_000;
    const status = random.pick(statusWeights);
    const subject = random.pick(words.ticketSubjects);
    tickets.push({
      id: 1001 + index,
      subject,
      description: `${subject}. Reported by ${requester.firstName} ${requester.lastName} of ${company.name}.`,
      status,
      priority: random.chance(0.1)
        ? null
        : random.pick(['low', 'normal', 'normal', 'high', 'urgent'] as const),
      type: random.chance(0.15)
        ? null
        : random.pick(['problem', 'incident', 'question', 'task'] as const),
      requesterId: requester.userId,
      assigneeId: status === 'new' ? null : random.pick(agents).userId,
      organizationId: company.organizationId,
      tags: words.ticketTags.filter(() => random.chance(0.2)),
      channel: random.pick(['email', 'web', 'api'] as const),
      createdAt,
      updatedAt: Math.min(REFERENCE_TIME, createdAt + random.int(1, 240) * 3_600_000),
    });
  }
  return { companies, contacts, products, stock, orders, tickets, agents };
}

let cached: Seed | undefined;

/** The seed data, generated once per process and shared by every sandbox that reads it. */
export function getSeed(): Seed {
  cached ??= generate();
  return cached;
}
