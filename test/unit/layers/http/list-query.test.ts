import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { InvalidQueryError } from '#layers/errors/index.ts';
import { decodeCursor, encodeCursor, parseListQuery } from '#layers/http/list-query.ts';

const filters = { source: z.string().optional() };
const keyNames = ['pk', 'logKey', 'logAt'];
const lastKey = { pk: 'log#all#x', logKey: 'all', logAt: '2026-12-02T10:00:00.000Z#x' };

const issuePaths = (run: () => unknown): { code: string; paths: string[] } => {
  try {
    run();
  } catch (error) {
    if (!(error instanceof InvalidQueryError)) throw error;
    return { code: error.code, paths: (error.issues ?? []).map((issue) => issue.path) };
  }
  throw new Error('did not throw');
};

describe('parseListQuery', () => {
  it('defaults limit to 25 and normalises times to ISO 8601 in UTC', () => {
    expect(parseListQuery({ from: '2026-12-02T11:00:00+01:00' }, filters)).toEqual({
      from: '2026-12-02T10:00:00.000Z',
      limit: 25,
    });
  });

  it('names every bad parameter at once, an unknown one included', () => {
    expect(
      issuePaths(() => parseListQuery({ limit: '0', to: 'soon', sauce: 'x' }, filters)),
    ).toEqual({ code: 'invalid_input', paths: expect.arrayContaining(['limit', 'to', 'sauce']) });
    expect(
      issuePaths(() =>
        parseListQuery({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }, filters),
      ).paths,
    ).toEqual(['from']);
  });
});

describe('cursors', () => {
  it('give back the key they were made with, for the same filters whatever the page size', () => {
    const cursor = encodeCursor(lastKey, { source: 'stripe', limit: 5 });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, { source: 'stripe', limit: 10, cursor }, keyNames)).toEqual(
      lastKey,
    );
  });

  it('refuse other filters, other keys and anything that does not decode, naming cursor', () => {
    const cursor = encodeCursor(lastKey, { source: 'stripe' });
    const forged = Buffer.from(JSON.stringify({ k: { pk: 'x' }, f: 'y' })).toString('base64url');
    for (const run of [
      () => decodeCursor(cursor, { source: 'github' }, keyNames),
      () => decodeCursor(forged, {}, keyNames),
      () => decodeCursor('%%%', {}, keyNames),
    ])
      expect(issuePaths(run)).toEqual({ code: 'invalid_cursor', paths: ['cursor'] });
  });
});
