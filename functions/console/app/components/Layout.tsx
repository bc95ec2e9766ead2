import type { ComponentChildren } from 'preact';
import type { Person } from '../auth.ts';
import { Link } from '../navigation.tsx';
import { paths, type SectionId, visibleSections } from '../routes.ts';

/**
 * Every page's frame: a link past the navigation, the console's name, the sections this person's
 * roles open (the others are not linked), who is signed in, and the page in `<main>`.
 */
export function Layout(props: {
  person?: Person | undefined;
  section?: SectionId | undefined;
  onSignOut?: (() => void) | undefined;
  children: ComponentChildren;
}) {
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="top-inner">
          <Link href={paths.home} class="brand">
            Toolgate console
          </Link>
          {props.person ? (
            <nav aria-label="Sections">
              <ul>
                {visibleSections(props.person.roles).map((section) => (
                  <li key={section.id}>
                    <Link href={section.path} current={section.id === props.section}>
                      {section.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          {props.person ? (
            <div class="who">
              <span>
                Signed in as <strong>{props.person.name}</strong>
                {props.person.roles.length > 0 ? ` (${props.person.roles.join(', ')})` : ''}
              </span>
              <button type="button" class="quiet" onClick={props.onSignOut}>
                Sign out
              </button>
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" class="page" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
