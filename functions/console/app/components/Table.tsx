import type { ComponentChildren } from 'preact';
import { localTime } from '../time.ts';

/**
 * A table with a caption and column headers, scrolling sideways inside itself on a narrow screen
 * (the page never does). The rows are its children.
 */
export function Table(props: {
  caption: ComponentChildren;
  headers: readonly string[];
  children: ComponentChildren;
}) {
  return (
    <div class="table-scroll">
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.headers.map((header) => (
              <th key={header} scope="col">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** A time the gateway gave, shown in the reader's own time zone, machine-readable in `dateTime`. */
export function Time(props: { iso: string }) {
  return <time dateTime={props.iso}>{localTime(props.iso)}</time>;
}
