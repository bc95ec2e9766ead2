import { ApiError } from '../api.ts';
import { PageHeading } from '../components/PageHeading.tsx';
import { Link } from '../navigation.tsx';
import { paths } from '../routes.ts';

/**
 * The page for an answer the console cannot show: a 403 says which role the action needs (the
 * gateway's message names it), a 404 that there is nothing to see here for this person.
 */
export function Problem(props: { error: unknown; title: string; neededRole?: string | undefined }) {
  const { error } = props;
  if (error instanceof ApiError && error.status === 403) {
    return (
      <section class="problem">
        <PageHeading title="Not allowed" />
        <p class="text">{error.message}</p>
        {props.neededRole ? (
          <p>
            It needs the role <strong>{props.neededRole}</strong>. Ask an administrator of your
            identity provider to grant it, then sign in again.
          </p>
        ) : (
          <p>Ask an administrator of your identity provider for the role, then sign in again.</p>
        )}
        <p>
          <Link href={paths.approvals}>Back to Approvals</Link>
        </p>
      </section>
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return (
      <section class="problem">
        <PageHeading title="Not found" />
        <p class="text">{error.message}</p>
        <p>
          It may have been decided by someone else, or it is not yours to decide.{' '}
          <Link href={paths.approvals}>Back to Approvals</Link>
        </p>
      </section>
    );
  }
  return (
    <section class="problem">
      <PageHeading title={props.title} />
      <p role="alert" class="text">
        {error instanceof Error ? error.message : 'The console could not reach the gateway.'}
      </p>
      <p>
        <button type="button" onClick={() => window.location.reload()}>
          Try again
        </button>
      </p>
    </section>
  );
}
