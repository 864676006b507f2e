/**
 * `/applications`: the kanban (`GET /v1/applications`), one column per status
 * with its count. A submitted application moves to an employer's answer
 * (`POST /v1/applications/:id/outcome`) by drag and drop, or with the "Move
 * to" menu on its card (keyboard and screen readers). The board polls, so the
 * workflow's own status changes appear without a reload.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import type { components } from '../../api/schema.gen.ts';
import { Link } from '../../app/navigation.tsx';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';
import {
  type ApplicationStatus,
  isOutcome,
  OUTCOMES,
  type OutcomeStatus,
  STATUS_LABELS,
  STATUSES,
  WORKING,
} from './statuses.ts';

type Summary = components['schemas']['ApplicationSummary'];

/** The board shows the newest this many; the counts cover all. */
const BOARD_SIZE = 100;
const POLL_MS = 5_000;
const POLL_WORKING_MS = 2_000;
/** The dragged card's id travels in the drag itself, so a drop never depends on a re-render. */
const DRAG_TYPE = 'application/x-application-id';

function useMove() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (move: { app: Summary; to: OutcomeStatus }) =>
      call(
        api.POST('/v1/applications/{id}/outcome', {
          params: { path: { id: move.app.id } },
          body: { status: move.to },
        }),
      ),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['applications'] });
      void queryClient.invalidateQueries({ queryKey: ['application'] });
      void queryClient.invalidateQueries({ queryKey: ['analytics'] });
    },
  });
}

function MoveMenu(props: { app: Summary; onMove: (to: OutcomeStatus) => void; busy: boolean }) {
  const { app } = props;
  const id = `move-${app.id}`;
  const targets = OUTCOMES.filter((status) => status !== app.status);
  return (
    <form
      class="move"
      onSubmit={(event) => {
        event.preventDefault();
        const to = String(new FormData(event.currentTarget).get('to'));
        if (isOutcome(to)) props.onMove(to);
      }}
    >
      <label for={id} class="visually-hidden">
        Move {app.jobTitle} at {app.company} to
      </label>
      <select id={id} name="to" defaultValue={targets[0]}>
        {targets.map((status) => (
          <option key={status} value={status}>
            {STATUS_LABELS[status]}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary small" disabled={props.busy}>
        Move<span class="visually-hidden"> {app.jobTitle}</span>
      </button>
    </form>
  );
}

function Card(props: {
  app: Summary;
  onMove: (to: OutcomeStatus) => void;
  busy: boolean;
  onDrag: (app: Summary | undefined) => void;
}) {
  const { app } = props;
  const movable = app.submittedAt !== null;
  return (
    <li
      class="card"
      aria-label={`${app.jobTitle} at ${app.company}`}
      draggable={movable}
      onDragStart={(event) => {
        event.dataTransfer?.setData(DRAG_TYPE, app.id);
        if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
        props.onDrag(app);
      }}
      onDragEnd={() => props.onDrag(undefined)}
    >
      <Link href={`/applications/${app.id}`} class="card-title">
        {app.jobTitle}
      </Link>
      <p class="muted">
        {app.company} · {app.mode} via {app.channel}
      </p>
      {movable ? (
        <MoveMenu app={app} onMove={props.onMove} busy={props.busy} />
      ) : (
        <p class="hint muted">
          {app.status === 'awaiting_approval'
            ? 'Open it to review and approve.'
            : 'It can be moved once submitted.'}
        </p>
      )}
    </li>
  );
}

function Column(props: {
  status: ApplicationStatus;
  count: number;
  apps: Summary[];
  dragging: Summary | undefined;
  find: (id: string) => Summary | undefined;
  children: (app: Summary) => ComponentChildren;
  onDrop: (app: Summary, to: OutcomeStatus) => void;
}) {
  const { status, dragging } = props;
  const [over, setOver] = useState(false);
  // Highlighted while a card that may move here is dragged.
  const accepts = dragging !== undefined && isOutcome(status) && dragging.status !== status;
  const headingId = `column-${status}`;
  return (
    <section
      class={`column${accepts ? ' droppable' : ''}${accepts && over ? ' over' : ''}`}
      aria-labelledby={headingId}
      onDragOver={(event) => {
        if (!isOutcome(status) || !event.dataTransfer?.types.includes(DRAG_TYPE)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        setOver(false);
        const app = props.find(event.dataTransfer?.getData(DRAG_TYPE) ?? '');
        if (!app || !isOutcome(status) || app.status === status || app.submittedAt === null) return;
        event.preventDefault();
        props.onDrop(app, status);
      }}
    >
      <h2 id={headingId} class="column-title">
        {STATUS_LABELS[status]} <span class="count">{props.count}</span>
      </h2>
      {props.apps.length === 0 ? (
        <p class="empty hint">None</p>
      ) : (
        <ul class="cards" aria-labelledby={headingId}>
          {props.apps.map((app) => props.children(app))}
        </ul>
      )}
    </section>
  );
}

export default function ApplicationsPage() {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const [dragging, setDragging] = useState<Summary>();
  const [moved, setMoved] = useState<string>();
  const board = useQuery({
    queryKey: ['applications', 'board'],
    queryFn: () =>
      call(api.GET('/v1/applications', { params: { query: { limit: String(BOARD_SIZE) } } })),
    refetchInterval: (query) =>
      query.state.data?.applications.some((app) => WORKING.includes(app.status))
        ? POLL_WORKING_MS
        : POLL_MS,
  });
  const move = useMove();
  const moveTo = (app: Summary, to: OutcomeStatus) => {
    setMoved(undefined);
    move.mutate(
      { app, to },
      { onSuccess: () => setMoved(`Moved ${app.jobTitle} to ${STATUS_LABELS[to]}.`) },
    );
  };

  let body: ComponentChildren;
  if (board.isPending) body = <Loading label="Loading your applications" />;
  else if (board.error && !board.data) {
    body = <ErrorNotice error={board.error} title="Could not load your applications" />;
  } else if (board.data.applications.length === 0) {
    body = (
      <p class="empty" role="status">
        No applications yet. Open one of your <Link href="/jobs">jobs</Link> and apply.
      </p>
    );
  } else {
    const { applications, counts, nextCursor } = board.data;
    body = (
      <>
        {board.error && <ErrorNotice error={board.error} title="Could not refresh the board" />}
        <p class="muted">
          Drag a submitted application to the employer's answer, or use its "Move to" menu.
          {nextCursor && ` The board shows your newest ${BOARD_SIZE}; the counts cover all.`}
        </p>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
        <section class="board" aria-label="Applications by status" tabIndex={0}>
          {STATUSES.map((status) => (
            <Column
              key={status}
              status={status}
              count={counts[status] ?? 0}
              apps={applications.filter((app) => app.status === status)}
              dragging={dragging}
              find={(id) => applications.find((app) => app.id === id)}
              onDrop={moveTo}
            >
              {(app) => (
                <Card
                  key={app.id}
                  app={app}
                  busy={move.isPending}
                  onMove={(to) => moveTo(app, to)}
                  onDrag={setDragging}
                />
              )}
            </Column>
          ))}
        </section>
      </>
    );
  }
  return (
    <main class="page wide" id="main">
      <h1 tabIndex={-1} ref={heading}>
        Applications
      </h1>
      <div aria-live="polite" role="status" class="live">
        {moved}
      </div>
      {move.error && <ErrorNotice error={move.error} title="Could not move the application" />}
      {body}
    </main>
  );
}
