import { describe, expect, it } from 'vitest';
import { resourceOf } from '#functions/console/app/config.ts';
import { routeOf, sameConsolePath } from '#functions/console/app/routes.ts';
import { timeLeft } from '#functions/console/app/time.ts';

describe('routeOf', () => {
  it.each([
    ['/console', { page: 'approvals' }],
    ['/console/', { page: 'approvals' }],
    ['/console/approvals', { page: 'approvals' }],
    ['/console/approvals/', { page: 'approvals' }],
    ['/console/approvals/cf_0a1b', { page: 'approval', id: 'cf_0a1b' }],
    ['/console/approvals/cf%5F1', { page: 'approval', id: 'cf_1' }],
    ['/console/approvals/%zz', { page: 'not-found', path: '/console/approvals/%zz' }],
    ['/console/approvals/a/b', { page: 'not-found', path: '/console/approvals/a/b' }],
    ['/console/operations', { page: 'operations' }],
    ['/console/operations/op_1', { page: 'operation', id: 'op_1' }],
    ['/console/audit', { page: 'audit' }],
    ['/console/audit/', { page: 'audit' }],
    ['/console/audit/au%2F1', { page: 'audit-record', id: 'au/1' }],
    ['/console/systems', { page: 'systems' }],
    ['/console/webhooks', { page: 'webhooks' }],
    ['/console/systems/erp', { page: 'not-found', path: '/console/systems/erp' }],
    ['/console/constructor', { page: 'not-found', path: '/console/constructor' }],
    ['/console/toString', { page: 'not-found', path: '/console/toString' }],
  ])('reads %s as %j', (path, route) => {
    expect(routeOf(path)).toEqual(route);
  });
});

describe('sameConsolePath', () => {
  it('returns a console path on this origin as it is, query included', () => {
    expect(sameConsolePath('/console/approvals/cf_1?from=mail')).toBe(
      '/console/approvals/cf_1?from=mail',
    );
  });

  it.each([
    undefined,
    '',
    'https://evil.example/console/',
    '//evil.example/console/',
    '/\\evil.example',
    '/tools',
    '/console/callback?code=abc&state=xyz',
  ])('returns the inbox instead of %j, so a sign-in never lands on another site', (target) => {
    expect(sameConsolePath(target)).toBe('/console/');
  });
});

describe('timeLeft', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');

  it.each([
    ['2026-12-01T12:05:00Z', '2 h 5 min left'],
    ['2026-12-01T10:09:30Z', '9 min 30 s left'],
    ['2026-12-01T10:00:42Z', '42 s left'],
    ['2026-12-01T10:00:00Z', 'expired'],
    ['2026-12-01T09:00:00Z', 'expired'],
    ['soon', 'unknown'],
  ])('says %s is %s', (expiresAt, words) => {
    expect(timeLeft(expiresAt, now)).toBe(words);
  });
});

describe('resourceOf', () => {
  it.each([
    ['https://tools.acme.com/mcp', 'https://tools.acme.com/mcp'],
    ['toolgate-local', undefined],
    ['api://toolgate', undefined],
    ['00000000-0000-0000-0000-000000000000', undefined],
    ['http://127.0.0.1:3000', undefined],
  ])('names %s as the resource: %s', (audience, resource) => {
    expect(resourceOf(audience)).toBe(resource);
  });
});
