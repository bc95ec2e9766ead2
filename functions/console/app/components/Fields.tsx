import type { ComponentChildren } from 'preact';
import type { Filters } from '../query.ts';

/**
 * The fields of a filter form: each a `<label>` tied to its control, named after the API's query
 * parameter, and filled with the filter the page's address holds.
 */
export function TextField(props: {
  name: string;
  label: string;
  value: string | undefined;
  type?: 'text' | 'datetime-local';
  hint?: string;
}) {
  const id = `filter-${props.name}`;
  const described = props.hint ? { 'aria-describedby': `${id}-hint` } : {};
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.type === 'datetime-local' ? (
        <input
          id={id}
          name={props.name}
          type="datetime-local"
          value={props.value ?? ''}
          {...described}
        />
      ) : (
        <input
          id={id}
          name={props.name}
          type="text"
          value={props.value ?? ''}
          autocomplete="off"
          spellcheck={false}
          {...described}
        />
      )}
      {props.hint ? (
        <small id={`${id}-hint`} class="muted">
          {props.hint}
        </small>
      ) : null}
    </div>
  );
}

export function SelectField(props: {
  name: string;
  label: string;
  value: string | undefined;
  /** Value and text of each choice; an "Any" choice with the empty value comes first. */
  options: readonly (readonly [string, string])[];
}) {
  const id = `filter-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} value={props.value ?? ''}>
        <option value="">Any</option>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A filter form: its fields in a grid, then Search and Clear. */
export function FilterForm(props: {
  label: string;
  onSubmit: (form: HTMLFormElement) => void;
  onClear: () => void;
  children: ComponentChildren;
}) {
  return (
    <form
      class="filters"
      aria-label={props.label}
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit(event.currentTarget);
      }}
    >
      <div class="filter-fields">{props.children}</div>
      <div class="actions">
        <button type="submit">Search</button>
        <button type="button" class="quiet" onClick={props.onClear}>
          Clear
        </button>
      </div>
    </form>
  );
}

/** The filters a submitted form holds, for the fields named. */
export function filtersOfForm<K extends string>(
  form: HTMLFormElement,
  fields: readonly K[],
): Filters<K> {
  const data = new FormData(form);
  const filters: Filters<K> = {};
  for (const field of fields) {
    const value = data.get(field);
    if (typeof value === 'string' && value.trim()) filters[field] = value.trim();
  }
  return filters;
}
