import type { Change, Confirmation } from '../api.ts';

/**
 * A value an agent's proposal carries, as text: objects as definition lists, arrays as lists,
 * everything else through `String`. Preact writes it with text nodes, so markup in it stays text.
 */
export function Value(props: { value: unknown }) {
  const { value } = props;
  if (value === null || value === undefined) return <span class="none">none</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="none">none</span>;
    return (
      <ol class="value-list">
        {value.map((item, index) => (
          <li key={index}>
            <Value value={item} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return <span class="none">none</span>;
    return (
      <dl class="value-fields">
        {entries.map(([key, item]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>
              <Value value={item} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span class="text">{String(value)}</span>;
}

/** What a write would change: each field before and after, then the tool's further details. */
export function Preview(props: { preview: Confirmation['preview']; titleId?: string }) {
  const { preview } = props;
  const changes: readonly Change[] | undefined = Array.isArray(preview.changes)
    ? preview.changes
    : undefined;
  return (
    <div class="preview">
      {changes ? (
        <div class="table-scroll">
          <table>
            <caption>Before and after</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((change, index) => (
                <tr key={index}>
                  <th scope="row">{String(change.field)}</th>
                  <td>
                    <Value value={change.before} />
                  </td>
                  <td>
                    <Value value={change.after} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Value value={preview} />
      )}
      {changes && preview.details !== undefined ? (
        <div class="details">
          <h3>Details</h3>
          <Value value={preview.details} />
        </div>
      ) : null}
    </div>
  );
}
