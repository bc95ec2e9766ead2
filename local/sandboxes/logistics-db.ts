import type { PGlite } from '@electric-sql/pglite';
import { seededRandom } from './prng.ts';
import { getSeed, SAMPLE_CUSTOMER_NUMBERS, type SeedOrder } from './seed.ts';
import * as words from './words.ts';

/**
 * The logistics system's schema as a fifteen-year-old system left it: upper-case tables,
 * fixed-width codes padded with blanks, dates and times as text (`YYYYMMDD`, `HHMMSS`,
 * `00000000` for none), code tables instead of words. The clean views at the end are all that
 * the gateway may read (layers/systems/registry.ts allow-lists them).
 */
export const LEGACY_SCHEMA = `
CREATE TABLE "CARR_MSTR" ("CARR_CD" CHAR(4) PRIMARY KEY, "CARR_NM" VARCHAR(30) NOT NULL);
CREATE TABLE "EVT_CD_MSTR" ("EVT_CD" CHAR(3) PRIMARY KEY, "EVT_DESC" CHAR(30) NOT NULL, "EVT_CLS" CHAR(1) NOT NULL);
CREATE TABLE "EXC_RSN_MSTR" ("RSN_CD" CHAR(2) PRIMARY KEY, "RSN_DESC" VARCHAR(60) NOT NULL);
CREATE TABLE "SHPMT_HDR" (
  "SHP_NO" CHAR(10) PRIMARY KEY, "ORD_NO" CHAR(12) NOT NULL, "CUST_NO" CHAR(8) NOT NULL,
  "CARR_CD" CHAR(4) NOT NULL REFERENCES "CARR_MSTR", "TRK_NO" CHAR(20) NOT NULL,
  "SHP_DT" CHAR(8) NOT NULL, "DLV_DT" CHAR(8) NOT NULL DEFAULT '00000000', "STAT_CD" CHAR(2) NOT NULL,
  "WHSE_CD" CHAR(3) NOT NULL, "UPD_USR" CHAR(8) NOT NULL DEFAULT 'BATCH01', "UPD_TS" CHAR(14) NOT NULL);
CREATE INDEX "SHPMT_HDR_X1" ON "SHPMT_HDR" ("ORD_NO");
CREATE INDEX "SHPMT_HDR_X2" ON "SHPMT_HDR" ("CUST_NO");
-- Added with the views: they compare trimmed codes, which the old indexes cannot serve.
CREATE INDEX shpmt_hdr_order ON "SHPMT_HDR" (rtrim("ORD_NO"));
CREATE INDEX shpmt_hdr_customer ON "SHPMT_HDR" (rtrim("CUST_NO"));
CREATE TABLE "SHPMT_EVT" (
  "SHP_NO" CHAR(10) NOT NULL REFERENCES "SHPMT_HDR", "EVT_SEQ" NUMERIC(4) NOT NULL,
  "EVT_CD" CHAR(3) NOT NULL REFERENCES "EVT_CD_MSTR", "EVT_DT" CHAR(8) NOT NULL, "EVT_TM" CHAR(6) NOT NULL,
  "LOC_TXT" CHAR(40) NOT NULL DEFAULT ' ', "RSN_CD" CHAR(2), "RMK_TXT" VARCHAR(80),
  PRIMARY KEY ("SHP_NO", "EVT_SEQ"));

CREATE VIEW shipment_tracking AS
SELECT rtrim(h."ORD_NO") AS order_id,
       rtrim(h."CUST_NO") AS customer_id,
       rtrim(h."SHP_NO") AS shipment_id,
       c."CARR_NM" AS carrier,
       rtrim(h."TRK_NO") AS tracking_number,
       CASE h."STAT_CD" WHEN 'DL' THEN 'delivered' WHEN 'EX' THEN 'exception' ELSE 'in_transit' END AS shipment_status,
       substr(h."SHP_DT", 1, 4) || '-' || substr(h."SHP_DT", 5, 2) || '-' || substr(h."SHP_DT", 7, 2) AS shipped_on,
       CASE WHEN h."DLV_DT" = '00000000' THEN NULL
            ELSE substr(h."DLV_DT", 1, 4) || '-' || substr(h."DLV_DT", 5, 2) || '-' || substr(h."DLV_DT", 7, 2) END AS delivered_on,
       e."EVT_SEQ"::integer AS event_seq,
       rtrim(d."EVT_DESC") AS event,
       substr(e."EVT_DT", 1, 4) || '-' || substr(e."EVT_DT", 5, 2) || '-' || substr(e."EVT_DT", 7, 2) || 'T'
         || substr(e."EVT_TM", 1, 2) || ':' || substr(e."EVT_TM", 3, 2) || ':' || substr(e."EVT_TM", 5, 2) || 'Z' AS event_at,
       nullif(rtrim(e."LOC_TXT"), '') AS location,
       r."RSN_DESC" AS exception_reason
  FROM "SHPMT_HDR" h
  JOIN "CARR_MSTR" c ON c."CARR_CD" = h."CARR_CD"
  JOIN "SHPMT_EVT" e ON e."SHP_NO" = h."SHP_NO"
  JOIN "EVT_CD_MSTR" d ON d."EVT_CD" = e."EVT_CD"
  LEFT JOIN "EXC_RSN_MSTR" r ON r."RSN_CD" = e."RSN_CD";

CREATE VIEW delivery_exceptions AS
SELECT rtrim(h."CUST_NO") AS customer_id,
       rtrim(h."ORD_NO") AS order_id,
       rtrim(h."SHP_NO") AS shipment_id,
       c."CARR_NM" AS carrier,
       rtrim(h."TRK_NO") AS tracking_number,
       substr(e."EVT_DT", 1, 4) || '-' || substr(e."EVT_DT", 5, 2) || '-' || substr(e."EVT_DT", 7, 2) || 'T'
         || substr(e."EVT_TM", 1, 2) || ':' || substr(e."EVT_TM", 3, 2) || ':' || substr(e."EVT_TM", 5, 2) || 'Z' AS occurred_at,
       e."RSN_CD"::text AS reason_code,
       r."RSN_DESC" AS reason,
       nullif(rtrim(e."RMK_TXT"), '') AS remark,
       EXISTS (SELECT 1 FROM "SHPMT_EVT" later
                WHERE later."SHP_NO" = e."SHP_NO" AND later."EVT_SEQ" > e."EVT_SEQ" AND later."EVT_CD" = 'DLV') AS resolved
  FROM "SHPMT_EVT" e
  JOIN "SHPMT_HDR" h ON h."SHP_NO" = e."SHP_NO"
  JOIN "CARR_MSTR" c ON c."CARR_CD" = h."CARR_CD"
  JOIN "EXC_RSN_MSTR" r ON r."RSN_CD" = e."RSN_CD"
 WHERE e."EVT_CD" = 'EXC';
`;

const CARRIERS: Readonly<Record<string, string>> = {
  DHL: 'DHL ',
  UPS: 'UPS ',
  FedEx: 'FDX ',
  DPD: 'DPD ',
};
const EVENTS = [
  ['PUP', 'PICKED UP AT WAREHOUSE', 'N'],
  ['DEP', 'DEPARTED SORTING HUB', 'N'],
  ['ARR', 'ARRIVED AT DELIVERY HUB', 'N'],
  ['OFD', 'OUT FOR DELIVERY', 'N'],
  ['EXC', 'DELIVERY EXCEPTION', 'X'],
  ['DLV', 'DELIVERED', 'D'],
] as const;
const REASONS = [
  ['NH', 'Recipient not at home', 'NO ONE AT ADDR - CARD LEFT'],
  ['AD', 'Address incomplete or wrong', 'STE/FLOOR MISSING'],
  ['DM', 'Package damaged in transit', 'OUTER CARTON CRUSHED'],
  ['CH', 'Held at customs', 'AWAITING COMMERCIAL INVOICE'],
  ['WX', 'Delayed by weather', null],
] as const;
/** The legacy system's three-letter code of each ERP warehouse. */
const WAREHOUSES: Readonly<Record<(typeof words.warehouses)[number], string>> = {
  'WH-BERLIN': 'BER',
  'WH-DALLAS': 'DAL',
  'WH-SINGAPORE': 'SIN',
};

const HOUR = 3_600_000;
const pad = (text: string, width: number) => text.padEnd(width).slice(0, width);
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
const timeOf = (ms: number) => new Date(ms).toISOString().slice(11, 19).replaceAll(':', '');
const literal = (value: string | number | null) =>
  value === null
    ? 'NULL'
    : typeof value === 'number'
      ? String(value)
      : `'${value.replaceAll("'", "''")}'`;

interface Row {
  table: string;
  values: (string | number | null)[];
}

/**
 * The shipments and delivery events of the ERP sandbox's shipped and delivered orders (same order
 * numbers, customers, carriers, tracking numbers and dates as local/sandboxes/seed.ts), with a
 * delivery exception on about one shipment in eight, and on the latest shipment of each sample
 * customer, so every demo customer has one.
 */
export function legacyRows(): Row[] {
  const seed = getSeed();
  const random = seededRandom(20261203);
  const cityOf = new Map(seed.companies.map((company) => [company.customerNumber, company.city]));
  const latestOfSample = new Map<string, SeedOrder>();
  for (const order of seed.orders)
    if (
      order.shippedAt &&
      (SAMPLE_CUSTOMER_NUMBERS as readonly string[]).includes(order.customerNumber)
    )
      latestOfSample.set(order.customerNumber, order);
  const forced = new Set([...latestOfSample.values()].map((order) => order.orderNumber));

  const rows: Row[] = [];
  for (const [code, name] of Object.entries(CARRIERS))
    rows.push({ table: 'CARR_MSTR', values: [name, code] });
  for (const [code, description, kind] of EVENTS)
    rows.push({ table: 'EVT_CD_MSTR', values: [code, description, kind] });
  for (const [code, description] of REASONS)
    rows.push({ table: 'EXC_RSN_MSTR', values: [code, description] });

  let number = 40_000_000;
  for (const order of seed.orders) {
    if (!order.shippedAt || !order.carrier || !order.trackingNumber) continue;
    const shipment = `S${String(++number).padStart(9, '0')}`;
    const warehouse = random.pick(words.warehouses);
    const city = cityOf.get(order.customerNumber) ?? '';
    const exception = forced.has(order.orderNumber) || random.chance(0.125);
    const events: [string, number, string, (typeof REASONS)[number] | null][] = [
      ['PUP', order.shippedAt, warehouse.replace('WH-', ''), null],
      ['DEP', order.shippedAt + 6 * HOUR, `${warehouse.replace('WH-', '')} HUB`, null],
      ['ARR', order.shippedAt + 30 * HOUR, `${city.toUpperCase()} HUB`, null],
    ];
    const deliveredAt = order.deliveredAt;
    if (exception) {
      const at = (deliveredAt ?? order.shippedAt + 40 * HOUR) - (deliveredAt ? 20 * HOUR : 0);
      events.push([
        'EXC',
        Math.max(at, order.shippedAt + 31 * HOUR),
        city.toUpperCase(),
        random.pick(REASONS),
      ]);
    }
    if (deliveredAt) {
      events.push(['OFD', deliveredAt - 4 * HOUR, city.toUpperCase(), null]);
      events.push(['DLV', deliveredAt, city.toUpperCase(), null]);
    }
    events.sort((a, b) => a[1] - b[1]);
    const status = deliveredAt ? 'DL' : exception ? 'EX' : 'IT';
    const last = events.at(-1)?.[1] ?? order.shippedAt;
    rows.push({
      table: 'SHPMT_HDR',
      values: [
        shipment,
        pad(order.orderNumber, 12),
        pad(order.customerNumber, 8),
        CARRIERS[order.carrier] ?? pad(order.carrier.toUpperCase(), 4),
        pad(order.trackingNumber, 20),
        dateOf(order.shippedAt),
        deliveredAt ? dateOf(deliveredAt) : '00000000',
        status,
        WAREHOUSES[warehouse],
        'BATCH01',
        `${dateOf(last)}${timeOf(last)}`,
      ],
    });
    events.forEach(([code, at, location, reason], index) => {
      rows.push({
        table: 'SHPMT_EVT',
        values: [
          shipment,
          index + 1,
          code,
          dateOf(at),
          timeOf(at),
          pad(location, 40),
          reason ? reason[0] : null,
          reason ? reason[2] : null,
        ],
      });
    });
  }
  return rows;
}

const COLUMNS: Readonly<Record<string, string>> = {
  CARR_MSTR: '"CARR_CD", "CARR_NM"',
  EVT_CD_MSTR: '"EVT_CD", "EVT_DESC", "EVT_CLS"',
  EXC_RSN_MSTR: '"RSN_CD", "RSN_DESC"',
  SHPMT_HDR:
    '"SHP_NO", "ORD_NO", "CUST_NO", "CARR_CD", "TRK_NO", "SHP_DT", "DLV_DT", "STAT_CD", "WHSE_CD", "UPD_USR", "UPD_TS"',
  SHPMT_EVT: '"SHP_NO", "EVT_SEQ", "EVT_CD", "EVT_DT", "EVT_TM", "LOC_TXT", "RSN_CD", "RMK_TXT"',
};

/**
 * Creates and fills the legacy schema in an empty database; a database that already has it (a
 * data directory of an earlier start) is left as it is.
 */
export async function prepareLegacyDatabase(db: PGlite): Promise<void> {
  const existing = await db.query<{ found: string | null }>(
    `SELECT to_regclass('"SHPMT_HDR"')::text AS found`,
  );
  if (existing.rows[0]?.found) return;
  const byTable = new Map<string, string[]>();
  for (const row of legacyRows()) {
    const list = byTable.get(row.table) ?? [];
    list.push(`(${row.values.map(literal).join(', ')})`);
    byTable.set(row.table, list);
  }
  const inserts = [...byTable].map(
    ([table, values]) =>
      `INSERT INTO "${table}" (${COLUMNS[table]}) VALUES\n${values.join(',\n')};`,
  );
  await db.exec(`BEGIN;\n${LEGACY_SCHEMA}\n${inserts.join('\n')}\nCOMMIT;`);
}
