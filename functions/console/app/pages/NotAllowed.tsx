import type { Person } from '../auth.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { Link } from '../navigation.tsx';
import { paths } from '../routes.ts';

/** "a, b or c" */
export const anyOf = (names: readonly string[]): string =>
  names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;

/**
 * A page opened by a person whose roles do not open it (typed in, or a link someone shared): which
 * role it needs, and the roles they have. The navigation does not link to it for them.
 */
export function NotAllowed(props: { page: string; roles: readonly string[]; person: Person }) {
  const { person } = props;
  return (
    <section class="problem">
      <PageHeading title="Not allowed" />
      <p>
        The {props.page} page needs the role <strong>{anyOf(props.roles)}</strong>.{' '}
        {person.roles.length > 0
          ? `You are signed in as ${person.name} with the roles ${person.roles.join(', ')}.`
          : `You are signed in as ${person.name}, without a role.`}
      </p>
      <p>Ask an administrator of your identity provider to grant it, then sign in again.</p>
      <p>
        <Link href={paths.approvals}>Back to Approvals</Link>
      </p>
    </section>
  );
}
