import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let shown = 0;

/**
 * A page's `<h1>`: names the document after it and, when a page follows another, takes the focus
 * so that a screen reader announces the new page and the keyboard starts from it.
 */
export function PageHeading(props: { title: string; children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Toolgate console`;
    if (shown++ > 0) heading.current?.focus();
  }, [props.title]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {props.children ?? props.title}
    </h1>
  );
}
