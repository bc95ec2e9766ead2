import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const CHANGE = 'console:navigate';

/** Shows another page of the console without reloading it (the History API). */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current path and query string, kept up to date through links, `navigate` and the back button. */
export function useLocation(): { path: string; search: string } {
  const read = () => ({ path: window.location.pathname, search: window.location.search });
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () =>
      setLocation((was) => {
        const now = read();
        return now.path === was.path && now.search === was.search ? was : now;
      });
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return location;
}

/**
 * A link to a page of the console: a real `<a href>` (it opens in a new tab, and keyboards and
 * screen readers know it), followed in place on a plain click.
 */
export function Link(props: {
  href: string;
  children: ComponentChildren;
  class?: string;
  current?: boolean;
  /** Ids of the text that describes where it leads (screen readers read it after the name). */
  describedBy?: string;
}) {
  const follow = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return;
    event.preventDefault();
    navigate(props.href);
  };
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      aria-describedby={props.describedBy}
      onClick={follow}
    >
      {props.children}
    </a>
  );
}
