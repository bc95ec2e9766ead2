import { describe, expect, it } from 'vitest';
import { type AuditFailureMode, createCallAuditor } from '#layers/audit/audit-policy.ts';
import type { AuditRecord } from '#layers/audit/audit-repository.ts';

const record = (outcome: AuditRecord['outcome']): AuditRecord => ({
  requestId: 'req-1',
  at: new Date(),
  sub: 'ana',
  roles: ['support'],
  tool: 'get_customer',
  outcome,
  statusCode: outcome === 'success' ? 200 : 404,
  durationMs: 3,
});

function auditor(mode: AuditFailureMode, failing: boolean) {
  const errors: string[] = [];
  const written: AuditRecord[] = [];
  const subject = createCallAuditor({
    mode,
    log: {
      write: (item) => {
        if (failing) throw new Error('ENOSPC: no space left on device, write');
        written.push(item);
      },
    },
    logger: { error: (message) => errors.push(message) },
  });
  return { subject, errors, written };
}

describe('createCallAuditor', () => {
  it('writes the record and refuses nothing when the trail takes it', async () => {
    const { subject, written } = auditor('closed', false);
    await expect(subject.record(record('success'), 'write')).resolves.toBeUndefined();
    expect(written).toHaveLength(1);
  });

  it('refuses a successful write with 503 audit_unavailable when its line cannot be written, in either mode', async () => {
    for (const mode of ['closed', 'open'] as const) {
      const { subject, errors } = auditor(mode, true);
      const refusal = await subject.record(record('success'), 'write');
      expect(refusal?.code).toBe('audit_unavailable');
      expect(refusal?.statusCode).toBe(503);
      expect(refusal?.retryable).toBe(true);
      expect(errors).toEqual(['audit write failed']);
    }
  });

  it('refuses a successful read when closed and lets it through when open', async () => {
    const closed = auditor('closed', true);
    const open = auditor('open', true);
    expect((await closed.subject.record(record('success'), 'read'))?.code).toBe(
      'audit_unavailable',
    );
    expect(await open.subject.record(record('success'), 'read')).toBeUndefined();
    expect(open.errors).toEqual(['audit write failed']);
  });

  it('keeps a failed call’s own error when its record cannot be written', async () => {
    const { subject, errors } = auditor('closed', true);
    expect(await subject.record(record('error'), 'write')).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
