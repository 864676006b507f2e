/**
 * `/admin`: the operator console, with the router's admin token. Cells with
 * their state, health, last check and user count, refreshed every 2 s; drain,
 * activate, remove, add and rebalance, each confirmed with how many users it
 * moves; the running migration's progress with cancel; where a user lives and
 * why, and the overrides (pins) with move and unpin.
 */
import { QueryClient, QueryClientProvider, useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'preact/hooks';
import { adminApi, hasAdminToken, setAdminToken } from '../../api/admin-client.ts';
import { call } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import type { components } from '../../api/schema.gen.ts';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';
import './admin.css';

type Cell = components['schemas']['CellStatus'];
type Operation = components['schemas']['MigrationOperation'];

/** The console's own cache: nothing of an operator's session mixes with a job seeker's. */
const adminQueries = new QueryClient({ defaultOptions: { queries: { retry: false } } });

interface Pending {
  title: string;
  detail: string;
  confirm: string;
  run(): Promise<unknown>;
}

/** An inline confirmation that says what an action affects; focus moves to it. */
function Confirm(props: { pending: Pending; onDone(): void }) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  const action = useMutation({
    mutationFn: props.pending.run,
    onSuccess: () => {
      void adminQueries.invalidateQueries();
      props.onDone();
    },
  });
  return (
    <div
      class="panel confirm"
      role="alertdialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-detail"
    >
      <h3 id="confirm-title">{props.pending.title}</h3>
      <p id="confirm-detail">{props.pending.detail}</p>
      {action.error && <ErrorNotice error={action.error} title={`${props.pending.title} failed`} />}
      <div class="actions">
        <button
          ref={button}
          type="button"
          disabled={action.isPending}
          onClick={() => action.mutate()}
        >
          {action.isPending ? 'Working…' : props.pending.confirm}
        </button>
        <button type="button" class="secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </div>
  );
}

const users = (n: number) => `${n} user${n === 1 ? '' : 's'}`;

function CellsPanel(props: { ask(pending: Pending): void }) {
  const cells = useQuery({
    queryKey: ['admin', 'cells'],
    queryFn: () => call(adminApi.GET('/admin/v1/cells')),
    refetchInterval: 2_000,
  });
  if (cells.isPending) return <Loading label="Loading the cells" />;
  if (cells.error) return <ErrorNotice error={cells.error} title="Could not load the cells" />;
  const active = cells.data.cells.filter((c) => c.state === 'active');
  /** One action on one cell, named alike in the confirmation's title and its button. */
  const onCell = (verb: string, cell: Cell, detail: string, run: () => Promise<unknown>) =>
    props.ask({ title: `${verb} ${cell.id}`, detail, confirm: `${verb} ${cell.id}`, run });
  const path = (cell: Cell) => ({ params: { path: { cellId: cell.id } } });
  const drain = (cell: Cell) =>
    onCell(
      'Drain',
      cell,
      cell.users === 0
        ? `${cell.id} has no users: it will be drained at once.`
        : `${users(cell.users)} of ${cell.id} will move to their ring owners among ${active.filter((c) => c.id !== cell.id).length} other active cells, one at a time; each user's writes pause for about a second during their own move.`,
      () => call(adminApi.POST('/admin/v1/cells/{cellId}/drain', path(cell))),
    );
  const activate = (cell: Cell) =>
    onCell(
      'Activate',
      cell,
      `${cell.id} takes new users again. No one moves until you rebalance.`,
      () => call(adminApi.POST('/admin/v1/cells/{cellId}/activate', path(cell))),
    );
  const remove = (cell: Cell) =>
    onCell(
      'Remove',
      cell,
      cell.users === 0
        ? `${cell.id} has no users: it is unregistered. Its processes are stopped by the operator's tooling (make remove-cell).`
        : `${cell.id} still has ${users(cell.users)}: the router will refuse. Drain it first.`,
      () => call(adminApi.DELETE('/admin/v1/cells/{cellId}', path(cell))),
    );
  return (
    <table class="cells">
      <caption>Cells (refreshed every 2 seconds)</caption>
      <thead>
        <tr>
          <th scope="col">Cell</th>
          <th scope="col">State</th>
          <th scope="col">Health</th>
          <th scope="col">Last check</th>
          <th scope="col">Users</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {cells.data.cells.map((cell) => (
          <tr key={cell.id}>
            <th scope="row">
              {cell.id}
              <div class="muted">{cell.url}</div>
            </th>
            <td>{cell.state}</td>
            <td class={cell.health === 'up' ? 'result-ok' : 'result-error'}>
              {cell.health}
              {cell.lastError && <div class="muted">{cell.lastError}</div>}
            </td>
            <td>
              {cell.latencyMs === null ? '—' : `${Math.round(cell.latencyMs)} ms`}
              {cell.lastCheckedAt && (
                <div class="muted">{new Date(cell.lastCheckedAt).toLocaleTimeString()}</div>
              )}
            </td>
            <td>{cell.users}</td>
            <td class="cell-actions">
              {cell.state === 'active' ? (
                <button type="button" class="secondary" onClick={() => drain(cell)}>
                  Drain {cell.id}
                </button>
              ) : (
                <button type="button" class="secondary" onClick={() => activate(cell)}>
                  Activate {cell.id}
                </button>
              )}
              <button type="button" class="secondary" onClick={() => remove(cell)}>
                Remove {cell.id}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OperationPanel() {
  const current = useQuery({
    queryKey: ['admin', 'operation'],
    queryFn: () => call(adminApi.GET('/admin/v1/operations/current')),
    refetchInterval: 1_000,
  });
  const cancel = useMutation({
    mutationFn: () => call(adminApi.POST('/admin/v1/operations/cancel')),
    onSuccess: () => adminQueries.invalidateQueries(),
  });
  if (current.isPending) return <Loading label="Loading the running migration" />;
  if (current.error)
    return <ErrorNotice error={current.error} title="Could not load the migration" />;
  const operation: Operation | null = current.data.operation;
  if (!operation) {
    return (
      <p class="empty" role="status">
        No migration is running.
      </p>
    );
  }
  const done = operation.users.moved + operation.users.rolledBack + operation.users.failed;
  return (
    <div role="status" class="operation">
      <p>
        <strong>
          {operation.kind === 'drain' ? `Draining ${operation.cellId}` : `A ${operation.kind}`}
        </strong>{' '}
        ({operation.state}): {operation.users.moved} of {operation.users.total} moved,{' '}
        {operation.users.inFlight} in flight, {operation.users.rolledBack} rolled back,{' '}
        {operation.users.failed} failed; {(operation.movedBytes / 1024).toFixed(0)} KiB copied
        {operation.freezeMs.p99 !== null && `; freeze p99 ${Math.round(operation.freezeMs.p99)} ms`}
      </p>
      <progress max={operation.users.total} value={done} aria-label="Migration progress" />
      <div class="actions">
        <button
          type="button"
          class="secondary"
          disabled={cancel.isPending}
          onClick={() => cancel.mutate()}
        >
          Cancel the migration
        </button>
      </div>
      {cancel.error && <ErrorNotice error={cancel.error} title="Could not cancel" />}
    </div>
  );
}

function RebalancePanel(props: { ask(pending: Pending): void }) {
  const plan = useMutation({
    mutationFn: () => call(adminApi.POST('/admin/v1/rebalance', { body: { dryRun: true } })),
  });
  const moves = plan.data?.plan;
  return (
    <section class="panel" aria-labelledby="rebalance-heading">
      <h2 id="rebalance-heading">Rebalance</h2>
      <p>Moves every user whose cell is not their ring owner among the active cells.</p>
      <button
        type="button"
        class="secondary"
        disabled={plan.isPending}
        onClick={() => plan.mutate()}
      >
        Plan a rebalance
      </button>
      {plan.error && <ErrorNotice error={plan.error} title="Could not plan a rebalance" />}
      {moves && (
        <div role="status">
          <p>
            {moves.users === 0
              ? 'Every user is on their ring owner: nothing to move.'
              : `${users(moves.users)} would move${moves.bytes ? `, about ${(moves.bytes / 1024).toFixed(0)} KiB` : ''}:`}
          </p>
          <ul>
            {moves.pairs.map((pair) => (
              <li key={`${pair.from}-${pair.to}`}>
                {pair.from} → {pair.to}: {users(pair.users)}
              </li>
            ))}
          </ul>
          {moves.users > 0 && (
            <button
              type="button"
              onClick={() =>
                props.ask({
                  title: 'Start the rebalance',
                  detail: `${users(moves.users)} will move, one at a time; each user's writes pause for about a second during their own move.`,
                  confirm: `Move ${users(moves.users)}`,
                  run: () =>
                    call(adminApi.POST('/admin/v1/rebalance', { body: { dryRun: false } })),
                })
              }
            >
              Start the rebalance…
            </button>
          )}
        </div>
      )}
    </section>
  );
}

function AddCellPanel(props: { ask(pending: Pending): void }) {
  const [id, setId] = useState('');
  const [url, setUrl] = useState('');
  return (
    <section class="panel" aria-labelledby="add-cell-heading">
      <h2 id="add-cell-heading">Add a cell</h2>
      <form
        class="grid-form"
        onSubmit={(event) => {
          event.preventDefault();
          props.ask({
            title: `Add ${id}`,
            detail: `${id} (${url}) is registered, then a rebalance moves to it exactly the users whose ring owner it becomes (about 1/N of everyone). Start its processes first (make add-cell).`,
            confirm: `Add ${id} and rebalance`,
            run: () =>
              call(
                adminApi.POST('/admin/v1/cells', { body: { id, url, weight: 1, rebalance: true } }),
              ),
          });
        }}
      >
        <div class="field">
          <label for="cell-id">Cell id</label>
          <input
            id="cell-id"
            type="text"
            required
            value={id}
            onInput={(e) => setId(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="cell-url">Cell URL</label>
          <input
            id="cell-url"
            type="text"
            required
            placeholder="http://127.0.0.1:8104"
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </div>
        <div class="form-actions">
          <button type="submit">Add…</button>
        </div>
      </form>
    </section>
  );
}

function UsersPanel(props: { ask(pending: Pending): void }) {
  const [ref, setRef] = useState('');
  const [looked, setLooked] = useState<string | undefined>();
  const placement = useQuery({
    queryKey: ['admin', 'placement', looked],
    queryFn: () =>
      call(
        adminApi.GET('/admin/v1/placements/{user}', { params: { path: { user: looked ?? '' } } }),
      ),
    enabled: looked !== undefined,
  });
  const overrides = useQuery({
    queryKey: ['admin', 'overrides'],
    queryFn: () => call(adminApi.GET('/admin/v1/overrides')),
    refetchInterval: 5_000,
  });
  const cells = useQuery({
    queryKey: ['admin', 'cells'],
    queryFn: () => call(adminApi.GET('/admin/v1/cells')),
  });
  const [target, setTarget] = useState('');
  const active = (cells.data?.cells ?? []).filter((c) => c.state === 'active');
  return (
    <section class="panel" aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <form
        class="grid-form"
        onSubmit={(event) => {
          event.preventDefault();
          setLooked(ref.trim());
        }}
      >
        <div class="field">
          <label for="user-ref">User id or email</label>
          <input
            id="user-ref"
            type="text"
            required
            value={ref}
            onInput={(e) => setRef(e.currentTarget.value)}
          />
        </div>
        <div class="form-actions">
          <button type="submit">Find</button>
        </div>
      </form>
      {placement.isFetching && <Loading label="Looking up the user" />}
      {placement.error && <ErrorNotice error={placement.error} title="Could not find the user" />}
      {placement.data && (
        <div class="placement" role="status">
          <p>
            <strong>{placement.data.email ?? placement.data.userId}</strong> lives on{' '}
            <strong>{placement.data.cellId}</strong> ({placement.data.cellState},{' '}
            {placement.data.cellHealth}) because: {placement.data.reason}
            {placement.data.ringCellId && placement.data.ringCellId !== placement.data.cellId
              ? `; the ring would place them on ${placement.data.ringCellId}`
              : ''}
            {placement.data.frozen ? '; moving now (writes paused)' : ''}.
          </p>
          <div class="grid-form">
            <div class="field">
              <label for="move-target">Move to</label>
              <select
                id="move-target"
                value={target}
                onChange={(e) => setTarget(e.currentTarget.value)}
              >
                <option value="">Choose a cell</option>
                {active
                  .filter((c) => c.id !== placement.data.cellId)
                  .map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.id}
                    </option>
                  ))}
              </select>
            </div>
            <div class="form-actions">
              <button
                type="button"
                disabled={!target}
                onClick={() =>
                  props.ask({
                    title: `Move ${placement.data.email ?? placement.data.userId}`,
                    detail: `This user's data is copied to ${target}, verified and flipped; they stay pinned there until unpinned. Their writes pause for about a second.`,
                    confirm: `Move to ${target} and pin`,
                    run: () =>
                      call(
                        adminApi.POST('/admin/v1/users/{user}/move', {
                          params: { path: { user: placement.data.userId } },
                          body: { cellId: target, reason: 'pinned' },
                        }),
                      ),
                  })
                }
              >
                Move and pin…
              </button>
            </div>
          </div>
        </div>
      )}
      <h3>Overrides</h3>
      {overrides.isPending && <Loading label="Loading the overrides" />}
      {overrides.error && (
        <ErrorNotice error={overrides.error} title="Could not load the overrides" />
      )}
      {overrides.data && overrides.data.overrides.length === 0 && (
        <p class="empty">Every user follows the ring.</p>
      )}
      {overrides.data && overrides.data.overrides.length > 0 && (
        <ul class="entries">
          {overrides.data.overrides.map((o) => (
            <li key={o.userId}>
              <code>{o.userId}</code> on {o.cellId} ({o.reason}){' '}
              <button
                type="button"
                class="secondary"
                aria-label={`Unpin ${o.userId}`}
                onClick={() =>
                  props.ask({
                    title: `Unpin ${o.userId}`,
                    detail: 'The user moves back to their ring owner (if that is another cell).',
                    confirm: 'Unpin',
                    run: () =>
                      call(
                        adminApi.POST('/admin/v1/users/{user}/unpin', {
                          params: { path: { user: o.userId } },
                        }),
                      ),
                  })
                }
              >
                Unpin
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TokenForm(props: { onSignedIn(): void }) {
  const [error, setError] = useState<unknown>();
  const [checking, setChecking] = useState(false);
  return (
    <form
      class="panel narrow"
      aria-label="Open the operator console"
      onSubmit={async (event) => {
        event.preventDefault();
        const token = new FormData(event.currentTarget).get('token');
        setAdminToken(typeof token === 'string' && token !== '' ? token : undefined);
        setChecking(true);
        try {
          await call(adminApi.GET('/admin/v1/cells'));
          setError(undefined);
          props.onSignedIn();
        } catch (caught) {
          setAdminToken(undefined);
          setError(caught);
        } finally {
          setChecking(false);
        }
      }}
    >
      <p>
        The console speaks to the router's admin API with its ADMIN_TOKEN. It is kept in this tab's
        memory only.
      </p>
      <div class="field">
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          name="token"
          type="password"
          autoComplete="off"
          required
          aria-invalid={error instanceof ApiProblem && error.status === 401 ? 'true' : undefined}
        />
      </div>
      <button type="submit" disabled={checking}>
        Open the console
      </button>
      {error ? <ErrorNotice error={error} title="The router refused the token" /> : null}
    </form>
  );
}

export default function AdminPage() {
  const heading = useRef<HTMLHeadingElement>(null);
  const [signedIn, setSignedIn] = useState(hasAdminToken());
  const [pending, setPending] = useState<Pending | undefined>();
  useEffect(() => heading.current?.focus(), []);
  return (
    <QueryClientProvider client={adminQueries}>
      <main class="page admin" id="main">
        <h1 tabIndex={-1} ref={heading}>
          Operator console
        </h1>
        {!signedIn ? (
          <TokenForm onSignedIn={() => setSignedIn(true)} />
        ) : (
          <>
            {pending && <Confirm pending={pending} onDone={() => setPending(undefined)} />}
            <section class="panel" aria-labelledby="cells-heading">
              <h2 id="cells-heading">Cells</h2>
              <CellsPanel ask={setPending} />
            </section>
            <section class="panel" aria-labelledby="migration-heading">
              <h2 id="migration-heading">Migration</h2>
              <OperationPanel />
            </section>
            <RebalancePanel ask={setPending} />
            <AddCellPanel ask={setPending} />
            <UsersPanel ask={setPending} />
          </>
        )}
      </main>
    </QueryClientProvider>
  );
}
