import type { QueryValue } from './connector.ts';
import type { Pagination } from './system-definition.ts';

/** How one pagination style asks for a page and finds the next cursor. */
export interface PaginationStyle {
  pageQuery(pageSize: number, cursor: string | undefined): Record<string, QueryValue>;
  nextCursor(page: unknown): string | undefined;
}

const field = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (current, key) =>
      current !== null && typeof current === 'object'
        ? (current as Record<string, unknown>)[key]
        : undefined,
    value,
  );

const asCursor = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

const styles: Record<Pagination['style'], PaginationStyle> = {
  none: { pageQuery: () => ({}), nextCursor: () => undefined },
  hubspot_after: {
    pageQuery: (limit, after) => ({ limit, after }),
    nextCursor: (page) => asCursor(field(page, 'paging', 'next', 'after')),
  },
  next_cursor: {
    pageQuery: (limit, cursor) => ({ limit, cursor }),
    nextCursor: (page) => asCursor(field(page, 'next_cursor')),
  },
  zendesk_cursor: {
    pageQuery: (size, after) => ({ 'page[size]': size, 'page[after]': after }),
    nextCursor: (page) =>
      field(page, 'meta', 'has_more') === true
        ? asCursor(field(page, 'meta', 'after_cursor'))
        : undefined,
  },
};

export const paginationStyle = (pagination: Pagination): PaginationStyle =>
  styles[pagination.style];
