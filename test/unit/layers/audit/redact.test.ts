import { describe, expect, it } from 'vitest';
import { REDACTED, redact } from '#layers/audit/redact.ts';

describe('redact', () => {
  it('replaces declared paths and sensitive keys at any depth', () => {
    const input = {
      email: 'a@example.com',
      note: 'keep',
      nested: { apiKey: 'k', password: 'p', list: [{ token: 't', ok: 1 }] },
    };
    expect(redact(input, ['email'])).toEqual({
      email: REDACTED,
      note: 'keep',
      nested: { apiKey: REDACTED, password: REDACTED, list: [{ token: REDACTED, ok: 1 }] },
    });
  });

  it('leaves the original untouched', () => {
    const input = { secret: 's' };
    redact(input);
    expect(input.secret).toBe('s');
  });
});
