import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '#functions/console/app/api.ts';
import { auditCsv } from '#functions/console/app/audit-csv.ts';
import { niceCeiling, pathOf, pointsOf } from '#functions/console/app/chart.ts';
import { allPages, csvCell, toCsv } from '#functions/console/app/csv.ts';
import { apiQueryOf, filtersOf, isoOf, queryOf } from '#functions/console/app/query.ts';
import {
  readsWholeAudit,
  roleNames,
  seesEveryOperation,
  switchesSystems,
} from '#functions/console/app/roles.ts';
import { mayOpen, rolesFor, visibleSections } from '#functions/console/app/routes.ts';
import { spanOf } from '#functions/console/app/time.ts';
import { defaultPolicy } from '#layers/policy/default-policy.ts';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['=1+2', "'=1+2"],
    ['+44 20 7946 0000', "'+44 20 7946 0000"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
    ['=HYPERLINK("http://evil.example","x")', '"\'=HYPERLINK(""http://evil.example"",""x"")"'],
    ['a=b', 'a=b'],
    [' =1', ' =1'],
  ])('writes the text %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    [42, '42'],
    [-5, '-5'],
    [0, '0'],
    [Number.NaN, ''],
    [true, 'true'],
    [undefined, ''],
    [null, ''],
  ])('writes the value %j as %j, a number never taken for a formula', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes an object as guarded, quoted JSON', () => {
    expect(csvCell({ a: '=x' })).toBe('"{""a"":""=x""}"');
    expect(csvCell(['-1'])).toBe('"[""-1""]"');
  });
});

describe('toCsv', () => {
  it('writes a header row, then a row per item, each ended by CRLF', () => {
    const rows = [
      { n: 1, t: 'x' },
      { n: 2, t: 'y, z' },
    ];
    const csv = toCsv(rows, [
      { header: 'number', value: (row) => row.n },
      { header: 'text', value: (row) => row.t },
    ]);
    expect(csv).toBe('number,text\r\n1,x\r\n2,"y, z"\r\n');
  });

  it('writes only the header when there is nothing', () => {
    expect(toCsv([], [{ header: 'a', value: () => 1 }])).toBe('a\r\n');
  });
});

describe('auditCsv', () => {
  const record: AuditRecord = {
    auditId: 'au_1',
    requestId: 'req-1',
    at: '2026-12-02T15:00:00.000Z',
    sub: 'sam',
    roles: ['sales', 'approver'],
    clientId: 'agent-1',
    tool: 'create_order',
    input: { customerId: 'C-00021', note: '=cmd|" /C calc"!A0' },
    reason: '@the customer asked, "twice"',
    conversationId: 'conv-1',
    outcome: 'error',
    statusCode: 503,
    errorCode: 'upstream_unavailable',
    errorMessage: '-the ERP is down',
    durationMs: 812,
    upstream: [
      { system: 'erp', requestId: 'erp-77', status: 503 },
      { system: 'crm', status: 200 },
    ],
  };

  it('writes one row per record, every field, formulas and quotes guarded', () => {
    // Act
    const [header, row, end, ...rest] = auditCsv([record]).split('\r\n');

    // Assert
    expect(header).toBe(
      'at,auditId,requestId,user,roles,clientId,tool,outcome,statusCode,errorCode,errorMessage,durationMs,conversationId,reason,upstream,input',
    );
    expect(row).toBe(
      [
        '2026-12-02T15:00:00.000Z',
        'au_1',
        'req-1',
        'sam',
        'sales; approver',
        'agent-1',
        'create_order',
        'error',
        '503',
        'upstream_unavailable',
        "'-the ERP is down",
        '812',
        'conv-1',
        '"\'@the customer asked, ""twice"""',
        'erp erp-77 503; crm 200',
        '"{""customerId"":""C-00021"",""note"":""=cmd|\\"" /C calc\\""!A0""}"',
      ].join(','),
    );
    expect(end).toBe('');
    expect(rest).toEqual([]);
  });

  it('leaves the cells of missing fields empty', () => {
    const bare: AuditRecord = {
      auditId: 'au_2',
      requestId: 'req-2',
      at: '2026-12-02T15:01:00.000Z',
      sub: 'ana',
      tool: 'get_customer',
      outcome: 'success',
      statusCode: 200,
      durationMs: 5,
    };
    expect(auditCsv([bare]).split('\r\n')[1]).toBe(
      '2026-12-02T15:01:00.000Z,au_2,req-2,ana,,,get_customer,success,200,,,5,,,,',
    );
  });
});

describe('allPages', () => {
  /** A list of `total` numbers served `size` at a time, with the cursors asked for. */
  const pages = (total: number, size: number) => {
    const asked: (string | undefined)[] = [];
    const page = async (cursor: string | undefined) => {
      asked.push(cursor);
      const start = cursor ? Number(cursor) : 0;
      const items = Array.from({ length: Math.min(size, total - start) }, (_, i) => start + i);
      const next = start + size;
      return next < total ? { items, cursor: String(next) } : { items };
    };
    return { page, asked };
  };

  it('follows the cursor to the last page', async () => {
    const { page, asked } = pages(250, 100);
    const all = await allPages(page, 5000);
    expect(all.items).toHaveLength(250);
    expect(all.items[249]).toBe(249);
    expect(all.truncated).toBe(false);
    expect(asked).toEqual([undefined, '100', '200']);
  });

  it('stops at the maximum and says there is more', async () => {
    const { page, asked } = pages(12_000, 100);
    const all = await allPages(page, 5000);
    expect(all.items).toHaveLength(5000);
    expect(all.truncated).toBe(true);
    expect(asked).toHaveLength(50);
  });

  it('cuts a page that goes past the maximum', async () => {
    const { page } = pages(300, 70);
    const all = await allPages(page, 100);
    expect(all.items).toHaveLength(100);
    expect(all.truncated).toBe(true);
  });
});

describe('niceCeiling', () => {
  it.each([
    [0, 1],
    [-3, 1],
    [Number.NaN, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [10, 10],
    [11, 20],
    [42, 50],
    [180, 200],
    [201, 250],
    [999, 1000],
    [0.3, 0.5],
    [0.05, 0.05],
  ])('tops a series whose highest value is %d at %d', (max, top) => {
    expect(niceCeiling(max)).toBe(top);
  });
});

describe('pointsOf', () => {
  const box = { width: 110, height: 60, inset: 5 };

  it('spreads the values from the left edge to the right, zero at the bottom and the top at the top', () => {
    expect(pointsOf([0, 5, 10], 10, box)).toEqual([
      { x: 5, y: 55 },
      { x: 55, y: 30 },
      { x: 105, y: 5 },
    ]);
  });

  it('draws values above the top at the top, and missing or negative ones at zero', () => {
    expect(pointsOf([20, -1, Number.NaN], 10, box).map((point) => point.y)).toEqual([5, 55, 55]);
  });

  it('puts a single value in the middle and draws nothing for none', () => {
    expect(pointsOf([10], 10, box)).toEqual([{ x: 55, y: 5 }]);
    expect(pointsOf([], 10, box)).toEqual([]);
  });

  it('rounds to hundredths, so paths stay short', () => {
    expect(pointsOf([1, 1, 1, 1], 3, box).map((point) => point.x)).toEqual([5, 38.33, 71.67, 105]);
  });
});

describe('pathOf', () => {
  it('moves to the first point and draws lines to the others', () => {
    expect(
      pathOf([
        { x: 0, y: 10 },
        { x: 5, y: 2.5 },
        { x: 10, y: 0 },
      ]),
    ).toBe('M0 10L5 2.5L10 0');
    expect(pathOf([])).toBe('');
  });
});

describe('filtersOf', () => {
  it('reads the named filters from a query string, trimmed, the empty and unknown ones left out', () => {
    expect(
      filtersOf('?status=failed&tool=%20create_order%20&owner=&cursor=abc', [
        'status',
        'tool',
        'owner',
      ]),
    ).toEqual({ status: 'failed', tool: 'create_order' });
  });
});

describe('queryOf', () => {
  it('writes the filters in the order of the fields, encoded, the empty ones left out', () => {
    expect(
      queryOf({ tool: 'send email', status: 'rolled_back', owner: ' ' }, [
        'status',
        'tool',
        'owner',
      ]),
    ).toBe('?status=rolled_back&tool=send+email');
  });

  it('adds a cursor and a limit when given, and writes nothing for no filter', () => {
    expect(queryOf({}, ['status'])).toBe('');
    expect(queryOf({}, ['status'], { cursor: undefined })).toBe('');
    expect(queryOf({ status: 'failed' }, ['status'], { limit: 100, cursor: 'eyJ9+/=' })).toBe(
      '?status=failed&limit=100&cursor=eyJ9%2B%2F%3D',
    );
  });

  it('reads back what it wrote', () => {
    const filters = { conversationId: 'conv & <1>', requestId: 'a=b' };
    const fields = ['conversationId', 'requestId'] as const;
    expect(filtersOf(queryOf(filters, fields), fields)).toEqual(filters);
  });
});

describe('isoOf', () => {
  // A zone away from UTC, so that a time taken for UTC shows (Node rereads TZ when it changes).
  let zone: string | undefined;
  beforeAll(() => {
    zone = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
  });
  afterAll(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('reads a datetime-local value in the person’s time zone (UTC+5:30 here)', () => {
    expect(isoOf('2026-12-02T15:30')).toBe('2026-12-02T10:00:00.000Z');
    expect(isoOf('2026-12-02T03:15:20')).toBe('2026-12-01T21:45:20.000Z');
  });

  it('turns a datetime-local value, in the local time zone, into UTC ISO-8601', () => {
    // Act
    const iso = isoOf('2026-12-02T15:30');

    // Assert: the same wall-clock time, read back in this process's time zone
    expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/);
    const back = new Date(iso);
    expect([back.getFullYear(), back.getMonth(), back.getDate()]).toEqual([2026, 11, 2]);
    expect([back.getHours(), back.getMinutes()]).toEqual([15, 30]);
  });

  it.each(['yesterday', '2026-13-45T99:99', '2026-12-02', ''])(
    'passes %j on as it is, for the gateway to name the field',
    (value) => {
      expect(isoOf(value)).toBe(value);
    },
  );
});

describe('apiQueryOf', () => {
  it('sends the time fields as ISO-8601 and the others as typed', () => {
    const query = apiQueryOf(
      { tool: 'get_customer', from: '2026-12-02T15:30' },
      ['tool', 'from'],
      ['from'],
      {
        limit: 100,
      },
    );
    const params = new URLSearchParams(query);
    expect(params.get('tool')).toBe('get_customer');
    expect(params.get('from')).toBe(new Date(2026, 11, 2, 15, 30).toISOString());
    expect(params.get('limit')).toBe('100');
  });
});

describe('the console and roles', () => {
  it('names the roles as the gateway’s policy does', () => {
    expect(roleNames.approver).toBe(defaultPolicy.approverRole);
    expect(roleNames.admin).toBe(defaultPolicy.adminRole);
    expect(roleNames.auditor).toBe(defaultPolicy.auditorRole);
  });

  it.each([
    [[], ['Approvals', 'Operations', 'Audit', 'Systems', 'Connections']],
    [['sales'], ['Approvals', 'Operations', 'Audit', 'Systems', 'Connections']],
    [['approver'], ['Approvals', 'Operations', 'Audit', 'Systems', 'Webhooks', 'Connections']],
    [['auditor'], ['Approvals', 'Operations', 'Audit', 'Systems', 'Webhooks', 'Connections']],
    [
      ['support', 'admin'],
      ['Approvals', 'Operations', 'Audit', 'Systems', 'Webhooks', 'Connections'],
    ],
    [['constructor'], ['Approvals', 'Operations', 'Audit', 'Systems', 'Connections']],
  ])('links a person with the roles %j to %j', (roles, labels) => {
    expect(visibleSections(roles).map((section) => section.label)).toEqual(labels);
  });

  it('names the roles that open Webhooks, and opens every other page to everyone', () => {
    expect(rolesFor('webhooks')).toEqual(['admin', 'approver', 'auditor']);
    expect(mayOpen('webhooks', ['viewer'])).toBe(false);
    for (const id of ['approvals', 'operations', 'audit', 'systems'] as const)
      expect(mayOpen(id, [])).toBe(true);
  });

  it.each([
    [['sales'], { everyOperation: false, wholeAudit: false, switches: false }],
    [['approver'], { everyOperation: true, wholeAudit: false, switches: false }],
    [['admin'], { everyOperation: true, wholeAudit: false, switches: true }],
    [['auditor'], { everyOperation: false, wholeAudit: true, switches: false }],
  ])('gives %j the controls %j', (roles, controls) => {
    expect({
      everyOperation: seesEveryOperation(roles),
      wholeAudit: readsWholeAudit(roles),
      switches: switchesSystems(roles),
    }).toEqual(controls);
  });
});

describe('spanOf', () => {
  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min'],
    [125, '2 min 5 s'],
    [3600, '1 h'],
    [7500, '2 h 5 min'],
    [86_400, '1 d'],
    [90_000, '1 d 1 h'],
    [-1, 'unknown'],
    [Number.POSITIVE_INFINITY, 'unknown'],
  ])('says %d seconds is %s', (seconds, words) => {
    expect(spanOf(seconds)).toBe(words);
  });
});
