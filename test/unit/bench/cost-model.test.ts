import { describe, expect, it } from 'vitest';
import {
  costPerMillion,
  itemWriteUnits,
  type Prices,
  requestUnits,
  tracedShare,
} from '#test/bench/cost-model.ts';

/** Round prices, so every expected figure below is worked out by hand. */
const flat: Prices = {
  date: 'test',
  region: 'test',
  apiGatewayHttpPerMillion: 1,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmPerGbSecond: 0.00001,
  dynamodbWriteUnitsPerMillion: 0.5,
  dynamodbReadUnitsPerMillion: 0.25,
  logsIngestedPerGb: 0.5,
  xrayTracesRecordedPerMillion: 5,
  // $0.0252 per unit-hour at 70% use: 2,520 writes an hour, $10 per million
  dynamodbProvisionedWcuHour: 0.0252,
};

const perMillion = (terms: { term: string; perMillion: number }[], term: string) =>
  terms.find((candidate) => candidate.term === term)?.perMillion;

describe('costPerMillion', () => {
  it('adds up each term per million calls from the usage of one call', () => {
    // Arrange: 100 ms at 1024 MB is 0.1 GB-s; 1 GiB of logs per million calls is 1073.741824 bytes a call
    const usage = {
      readUnits: 2,
      writeUnits: 3,
      logBytes: 1024 ** 3 / 1e6,
      lambdaMs: 100,
      memoryMb: 1024,
      traces: 0.1,
    };
    // Act
    const { terms, total } = costPerMillion(usage, flat);
    // Assert
    expect(perMillion(terms, 'API Gateway HTTP API')).toBe(1);
    expect(perMillion(terms, 'Lambda requests')).toBe(0.2);
    expect(perMillion(terms, 'Lambda duration')).toBeCloseTo(0.1 * 0.00001 * 1e6, 9); // $1
    expect(perMillion(terms, 'DynamoDB reads')).toBe(0.5);
    expect(perMillion(terms, 'DynamoDB writes')).toBe(1.5);
    expect(perMillion(terms, 'CloudWatch Logs ingestion')).toBeCloseTo(0.5, 9);
    expect(perMillion(terms, 'X-Ray traces')).toBeCloseTo(0.5, 9);
    expect(total).toBeCloseTo(1 + 0.2 + 1 + 0.5 + 1.5 + 0.5 + 0.5, 9);
    expect(terms.map((term) => term.term)).not.toContain(
      'Audit delivery (subscription Lambda + item write)',
    );
  });

  it('bills the duration rounded up to the millisecond, at least 1 ms', () => {
    const base = { readUnits: 0, writeUnits: 0, logBytes: 0, memoryMb: 1024, traces: 0 };
    const at = (lambdaMs: number) =>
      perMillion(costPerMillion({ ...base, lambdaMs }, flat).terms, 'Lambda duration');
    expect(at(7.2)).toBeCloseTo(0.008 * 0.00001 * 1e6, 9);
    expect(at(0.3)).toBeCloseTo(0.001 * 0.00001 * 1e6, 9);
  });

  it('adds the audit delivery term when the record goes by a log subscription', () => {
    // Arrange: 10 calls a batch, 100 ms at 512 MB each; one item of 5 write units per call
    const usage = {
      readUnits: 0,
      writeUnits: 0,
      logBytes: 0,
      lambdaMs: 1,
      memoryMb: 1024,
      traces: 0,
      auditSubscription: { callsPerBatch: 10, invocationMs: 100, memoryMb: 512, itemWriteUnits: 5 },
    };
    // Act
    const { terms } = costPerMillion(usage, flat);
    // Assert: (0.2 + 0.05 GB-s × 0.00001 × 1e6) / 10 + 5 × 0.5 = 0.07 + 2.5
    expect(perMillion(terms, 'Audit delivery (subscription Lambda + item write)')).toBeCloseTo(
      2.57,
      9,
    );
    // On provisioned capacity at 70% use, the same 5 units: 0.07 + 5 × 10
    const provisioned = costPerMillion(
      { ...usage, auditSubscription: { ...usage.auditSubscription, provisioned: true } },
      flat,
    );
    expect(
      perMillion(provisioned.terms, 'Audit delivery (subscription Lambda + item write)'),
    ).toBeCloseTo(50.07, 9);
  });
});

describe('tracedShare', () => {
  it('traces every call when the calls per second stay under the reservoir', () => {
    expect(tracedShare({ reservoirPerSecond: 1, fixedRate: 0.05 }, 1 / 60)).toBe(1);
  });

  it('traces the reservoir and the fixed rate of the rest when busy', () => {
    // 1 of 50 from the reservoir, 5% of the other 49
    expect(tracedShare({ reservoirPerSecond: 1, fixedRate: 0.05 }, 50)).toBeCloseTo(
      (1 + 0.05 * 49) / 50,
      12,
    );
    expect(tracedShare({ reservoirPerSecond: 0, fixedRate: 0.05 }, 1 / 60)).toBeCloseTo(0.05, 12);
  });

  it('answers 0 when there are no calls', () => {
    expect(tracedShare({ reservoirPerSecond: 1, fixedRate: 0.05 }, 0)).toBe(0);
  });
});

describe('requestUnits', () => {
  it('counts reads and writes per call, a transaction twice, and adds index writes', () => {
    // Arrange
    const counted = {
      GetItem: 300,
      Query: 100,
      PutItem: 100,
      UpdateItem: 100,
      TransactWriteItems: 50,
    };
    // Act
    const units = requestUnits(counted, 100, { auditIndexWrites: 4 });
    // Assert
    expect(units).toEqual({ readUnits: 4, writeUnits: 2 + 1 + 4 });
  });

  it('leaves out the writes named in excludeWrites', () => {
    expect(
      requestUnits({ BatchWriteItem: 10, UpdateItem: 100 }, 100, {
        excludeWrites: ['BatchWriteItem'],
      }),
    ).toEqual({
      readUnits: 0,
      writeUnits: 1,
    });
  });
});

describe('itemWriteUnits', () => {
  const indexes = [
    { partitionKey: 'tool', sortKey: 'sk' },
    { partitionKey: 'conversationId', sortKey: 'sk' },
    { partitionKey: 'auditId', projection: 'keys' as const },
  ];

  it('adds one write per index the item lands in, and none for an index whose key it lacks', () => {
    expect(itemWriteUnits({ pk: 'p', sk: 's', tool: 't', auditId: 'a' }, indexes)).toBe(3);
  });

  it('counts a whole item of more than 1 KB once per KB in the table and in each full index', () => {
    // Arrange: about 2.5 KB of JSON
    const item = { pk: 'p', sk: 's', tool: 't', auditId: 'a', input: 'x'.repeat(2500) };
    // Act / Assert: 3 in the table, 3 in byTool, 1 in the keys-only byId
    expect(itemWriteUnits(item, indexes)).toBe(7);
  });
});
