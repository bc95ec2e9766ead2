import { expect } from 'vitest';

/** A query a list must refuse: the query string, the error code and a path among the issues. */
export type Refusal = readonly [query: string, code: string, path: string];

/**
 * Asserts that a list answers each query with 400, the code, and an issue on the path.
 *
 * @example
 * await expectRefusals((query) => local.call('GET', `/audit${query}`, { as }), [['?limit=0', 'invalid_input', 'limit']]);
 */
export async function expectRefusals(
  list: (query: string) => Promise<{ status: number; body: any }>,
  refusals: readonly Refusal[],
): Promise<void> {
  for (const [query, code, path] of refusals) {
    const res = await list(query);
    expect(res.status, query).toBe(400);
    expect(res.body.error.code, query).toBe(code);
    expect(
      res.body.error.issues.map((issue: { path: string }) => issue.path),
      query,
    ).toContain(path);
  }
}
