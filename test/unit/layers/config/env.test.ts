import { describe, expect, it } from 'vitest';
import { parseEnv } from '#layers/config/env.ts';

const required = {
  AUDIT_TABLE_NAME: 'audit',
  JWT_ISSUER: 'https://issuer.example',
  JWT_AUDIENCE: 'toolgate',
};

describe('parseEnv mail settings', () => {
  it('allows only the gateway mailbox by default and discloses AI authorship', () => {
    // Act
    const env = parseEnv(required);

    // Assert
    expect(env.MAIL_SENDER).toBe('assistant@acme.example');
    expect(env.MAIL_ALLOWED_SENDERS).toEqual([]);
    expect(env.MAIL_ROLE_SENDERS).toEqual({});
    expect(env.MAIL_AI_FOOTER).toMatch(/AI assistant/);
  });

  it('reads senders for everyone and per role, compared without case', () => {
    // Act
    const env = parseEnv({
      ...required,
      MAIL_SENDER: 'Toolgate@Acme.com',
      MAIL_ALLOWED_SENDERS: ' service@acme.com , help@acme.com',
      MAIL_ROLE_SENDERS: '{"sales":["Sales@acme.com"]}',
    });

    // Assert
    expect(env.MAIL_SENDER).toBe('toolgate@acme.com');
    expect(env.MAIL_ALLOWED_SENDERS).toEqual(['service@acme.com', 'help@acme.com']);
    expect(env.MAIL_ROLE_SENDERS).toEqual({ sales: ['sales@acme.com'] });
  });

  it('reports every bad mail setting at once, naming each', () => {
    // Act
    const parsing = () =>
      parseEnv({
        ...required,
        MAIL_SENDER: 'toolgate',
        MAIL_ALLOWED_SENDERS: 'service@acme.com,nobody',
        MAIL_ROLE_SENDERS: '{sales:',
        MAIL_AI_FOOTER: '  ',
      });

    // Assert
    expect(parsing).toThrow(/MAIL_SENDER: must be an email address/);
    expect(parsing).toThrow(/MAIL_ALLOWED_SENDERS\.1: must be an email address/);
    expect(parsing).toThrow(/MAIL_ROLE_SENDERS: write it as JSON/);
    expect(parsing).toThrow(/MAIL_AI_FOOTER: must say that an AI assistant prepared the message/);
  });
});
