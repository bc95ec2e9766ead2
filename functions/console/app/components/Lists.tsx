import type { ListState, PageLike } from '../hooks.ts';

/** "1 call", "3 calls". */
export const counted = (n: number, one: string, many: string): string =>
  `${n} ${n === 1 ? one : many}`;

/** How many items a list shows, "so far" while the API has more; "Loading…" before. */
export function ListStatus<P extends PageLike>(props: {
  state: ListState<P>;
  one: string;
  many: string;
}) {
  const { state } = props;
  return (
    <p role="status" class="muted">
      {state.kind === 'loading' ? 'Loading…' : null}
      {state.kind === 'loaded'
        ? `${counted(state.items.length, props.one, props.many)}${state.cursor ? ' so far' : ''}.`
        : null}
    </p>
  );
}

/** The next page of a list, when the API has one. */
export function ShowMore<P extends PageLike>(props: { state: ListState<P>; more: () => void }) {
  const { state } = props;
  if (state.kind !== 'loaded' || !state.cursor) return null;
  return (
    <p>
      <button type="button" class="quiet" disabled={state.more === 'loading'} onClick={props.more}>
        {state.more === 'loading' ? 'Loading…' : 'Show more'}
      </button>
    </p>
  );
}
