import type { Api, Operation } from '../api.ts';
import { FilterForm, filtersOfForm, SelectField, TextField } from '../components/Fields.tsx';
import { ListStatus, ShowMore } from '../components/Lists.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { Table, Time } from '../components/Table.tsx';
import { useCursorList } from '../hooks.ts';
import { Link, navigate } from '../navigation.tsx';
import { apiQueryOf, filtersOf, queryOf } from '../query.ts';
import { seesEveryOperation } from '../roles.ts';
import { paths } from '../routes.ts';
import { Problem } from './Problem.tsx';

export const operationFilters = ['status', 'tool', 'owner'] as const;
const statuses = [
  ['queued', 'Queued'],
  ['running', 'Running'],
  ['succeeded', 'Succeeded'],
  ['rolled_back', 'Rolled back'],
  ['failed', 'Failed (needs a person)'],
] as const;

/** The failed operations' banner: undoing a step failed, so something is half done. */
function FailedBanner(props: { operations: readonly Operation[] }) {
  const failed = props.operations.filter((operation) => operation.status === 'failed');
  if (failed.length === 0) return null;
  return (
    <div role="alert" class="banner banner-alarm">
      <p>
        <strong>
          {failed.length === 1 ? '1 operation failed' : `${failed.length} operations failed`}
        </strong>
        : a step failed and undoing the steps before it failed too, so a business system may hold a
        half-done write. A person must look:
      </p>
      <ul class="banner-items">
        {failed.map((operation) => (
          <li key={operation.id}>
            <Link href={paths.operation(operation.id)}>{operation.id}</Link>{' '}
            <span class="text">({operation.tool ?? 'unknown tool'})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Writes and their sagas, newest first, filtered by status, tool and owner (`GET /operations`).
 * Approvers and admins see everyone's; others their own, so they get no owner filter.
 */
export function Operations(props: { api: Api; search: string; roles: readonly string[] }) {
  const { api, search } = props;
  const everyone = seesEveryOperation(props.roles);
  const fields = everyone ? operationFilters : operationFilters.filter((f) => f !== 'owner');
  const filters = filtersOf(search, fields);
  const key = queryOf(filters, fields);
  const { state, more, reload } = useCursorList(key, (cursor) =>
    api.operations(apiQueryOf(filters, fields, [], { cursor })),
  );
  if (state.kind === 'failed') return <Problem error={state.error} title="Operations" />;
  return (
    <>
      <PageHeading title="Operations" />
      <p class="lead">
        Approved writes and how their steps went: each step's attempts, and what was undone when a
        later step failed. {everyone ? 'You see everyone’s.' : 'You see your own.'}
      </p>
      <FilterForm
        label="Filter operations"
        onSubmit={(form) =>
          navigate(`${paths.operations}${queryOf(filtersOfForm(form, fields), fields)}`)
        }
        onClear={() => navigate(paths.operations)}
      >
        <SelectField name="status" label="Status" value={filters.status} options={statuses} />
        <TextField name="tool" label="Tool" value={filters.tool} />
        {everyone ? <TextField name="owner" label="Owner" value={filters.owner} /> : null}
      </FilterForm>
      <div class="toolbar">
        <button type="button" class="quiet" onClick={reload}>
          Refresh
        </button>
        <ListStatus state={state} one="operation" many="operations" />
      </div>
      {state.kind === 'loaded' ? (
        <>
          <FailedBanner operations={state.items} />
          {state.items.length === 0 ? (
            <p class="empty">No operation matches.</p>
          ) : (
            <Table
              caption="Operations, newest first"
              headers={['Operation', 'Tool', 'Status', 'Owner', 'Approved by', 'Created']}
            >
              {state.items.map((operation) => (
                <tr
                  key={operation.id}
                  class={operation.status === 'failed' ? 'row-alarm' : undefined}
                >
                  <th scope="row">
                    <Link href={paths.operation(operation.id)}>
                      <code>{operation.id}</code>
                    </Link>
                  </th>
                  <td class="text">{operation.tool}</td>
                  <td>
                    <StatusBadge status={operation.status} />
                  </td>
                  <td class="text">{operation.owner}</td>
                  <td class="text">{operation.confirmedBy}</td>
                  <td>{operation.createdAt ? <Time iso={operation.createdAt} /> : null}</td>
                </tr>
              ))}
            </Table>
          )}
          <ShowMore state={state} more={more} />
        </>
      ) : null}
    </>
  );
}
