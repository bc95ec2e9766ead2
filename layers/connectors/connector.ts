import type { z } from 'zod';
import type { AppError } from '../errors/index.ts';

export type QueryValue = string | number | boolean | undefined;

export interface ConnectorRequest<S extends z.ZodType> {
  /** Operation name for logs and errors, e.g. `companies.get`. */
  operation: string;
  /** @default 'GET' */
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path relative to the system's base URL, already URL-encoded where needed. */
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
  body?: unknown;
  /**
   * Whether the request may be sent twice (retried on transient errors). GET, PUT and DELETE are;
   * a POST is only when it reads (a search) or carries an `Idempotency-Key`. @default by method
   */
  idempotent?: boolean;
  /** Extra request headers, e.g. `Idempotency-Key` for systems that support it. */
  headers?: Readonly<Record<string, string>>;
  /** Schema of the answer: validated at the boundary, so tools only see checked data. */
  response: S;
  /** Error to raise when the system answers 404, e.g. a `customer_not_found` for the agent. */
  notFound?: () => AppError;
}

export interface PageRequest<S extends z.ZodType, T> extends ConnectorRequest<S> {
  /** Picks the records out of one page. */
  items: (page: z.output<S>) => readonly T[];
  /** Stop after this many records. */
  limit: number;
}

/**
 * A business system as a tool sees it: validated JSON over HTTP with the system's credentials,
 * timeout and request id already applied. Tools get one per declared system through `ctx`.
 */
export interface Connector {
  readonly systemId: string;
  readonly displayName: string;
  request<S extends z.ZodType>(request: ConnectorRequest<S>): Promise<z.output<S>>;
  /** Walks the system's pagination (declared per system) until `limit` records or the end. */
  paginate<S extends z.ZodType, T>(request: PageRequest<S, T>): Promise<T[]>;
}
