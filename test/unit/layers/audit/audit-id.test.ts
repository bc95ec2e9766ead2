import { describe, expect, it } from 'vitest';
import { auditIdTime, newAuditId } from '#layers/audit/audit-id.ts';

describe('audit ids', () => {
  it('carry the time of their record to the millisecond, and are unique within one', () => {
    const at = new Date('2026-12-03T07:15:42.123Z');
    const ids = Array.from({ length: 1_000 }, () => newAuditId(at));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 10))
      expect(auditIdTime(id)?.toISOString()).toBe(at.toISOString());
    expect(auditIdTime(newAuditId(new Date(0)))?.getTime()).toBe(0);
  });

  it('tell apart text that is not one of them', () => {
    expect(auditIdTime('9d3c3c8e-2b7a-4f4e-8d6b-1f2e3d4c5b6a')).toBeUndefined(); // a version 4 id
    expect(auditIdTime('not-an-id')).toBeUndefined();
    expect(auditIdTime(`${newAuditId(new Date())}x`)).toBeUndefined();
  });
});
