import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** The time now, renewed every `everyMs`, for countdowns. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** A list the API pages with a cursor, as a page shows it: the first page, then more on demand. */
/** One page of a list as the API client answers it. */
export interface PageLike {
  readonly items: readonly unknown[];
  readonly cursor?: string;
}
type ItemOf<P extends PageLike> = P['items'][number];

export type ListState<P extends PageLike> =
  | { kind: 'loading' }
  | {
      kind: 'loaded';
      items: ItemOf<P>[];
      cursor: string | undefined;
      more: 'idle' | 'loading';
      /** The first page's answer, for what it carries besides the items. */
      first: P;
    }
  | { kind: 'failed'; error: unknown };

/**
 * Loads the first page of a list whenever `key` (its filters) changes, and the next one on
 * `more()`. An answer that arrives after the filters changed is dropped.
 */
export function useCursorList<P extends PageLike>(
  key: string,
  page: (cursor: string | undefined) => Promise<P>,
): { state: ListState<P>; more: () => void; reload: () => void } {
  const [state, setState] = useState<ListState<P>>({ kind: 'loading' });
  const [round, setRound] = useState(0);
  const current = useRef(0);
  // `key` names the filters `page` closes over, so it alone decides a new first page; `round` reloads.
  useEffect(() => {
    const mine = ++current.current;
    setState({ kind: 'loading' });
    page(undefined).then(
      (first) => {
        if (mine === current.current)
          setState({
            kind: 'loaded',
            items: [...first.items],
            cursor: first.cursor,
            more: 'idle',
            first,
          });
      },
      (error: unknown) => {
        if (mine === current.current) setState({ kind: 'failed', error });
      },
    );
  }, [key, round]);
  const more = () => {
    if (state.kind !== 'loaded' || !state.cursor || state.more === 'loading') return;
    const mine = current.current;
    const loaded = state;
    setState({ ...loaded, more: 'loading' });
    page(loaded.cursor).then(
      (next) => {
        if (mine === current.current)
          setState({
            ...loaded,
            items: [...loaded.items, ...next.items],
            cursor: next.cursor,
            more: 'idle',
          });
      },
      (error: unknown) => {
        if (mine === current.current) setState({ kind: 'failed', error });
      },
    );
  };
  return { state, more, reload: () => setRound((n) => n + 1) };
}

/** A value loaded from the API, asked for again every `everyMs` while the page is visible. */
export type Polled<T> =
  | { kind: 'loading' }
  | { kind: 'loaded'; value: T }
  | { kind: 'failed'; error: unknown };

/**
 * Loads a value now, again every `everyMs` while the tab is visible, and on `reload()`.
 * `load` must keep its identity (useCallback) for as long as it asks for the same thing.
 */
export function usePolled<T>(
  load: () => Promise<T>,
  everyMs: number,
): { state: Polled<T>; reload: () => Promise<void> } {
  const [state, setState] = useState<Polled<T>>({ kind: 'loading' });
  const reload = useCallback(async () => {
    try {
      setState({ kind: 'loaded', value: await load() });
    } catch (error) {
      setState({ kind: 'failed', error });
    }
  }, [load]);
  useEffect(() => {
    void reload();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, everyMs);
    return () => window.clearInterval(timer);
  }, [reload, everyMs]);
  return { state, reload };
}
