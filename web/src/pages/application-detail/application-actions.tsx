/**
 * What the user can do with an application now: approve it (review mode) as
 * it is or with the wording edited (variant-editor.tsx),
 * say whether a submission of unknown outcome reached the employer, or record
 * the employer's answer.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import type { components } from '../../api/schema.gen.ts';
import type { Draft } from '../../lib/draft.ts';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import { isOutcome, OUTCOMES, STATUS_LABELS, WORKING } from '../applications/statuses.ts';
import { VariantEditor } from './variant-editor.tsx';

type Application = components['schemas']['Application'];
type State = components['schemas']['ApplicationState'];

function useAction<T>(action: (input: T) => Promise<State>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['application'] });
      void queryClient.invalidateQueries({ queryKey: ['applications'] });
      void queryClient.invalidateQueries({ queryKey: ['analytics'] });
    },
  });
}

export function ApplicationActions(props: { app: Application }) {
  const { app } = props;
  const path = { params: { path: { id: app.id } } };
  const approve = useAction(() => call(api.POST('/v1/applications/{id}/approve', path)));
  const resolve = useAction((delivered: boolean) =>
    call(api.POST('/v1/applications/{id}/submission', { ...path, body: { delivered } })),
  );
  const outcome = useAction((body: { status: (typeof OUTCOMES)[number]; note?: string }) =>
    call(api.POST('/v1/applications/{id}/outcome', { ...path, body })),
  );
  const [editing, setEditing] = useState(false);
  const canApprove =
    app.mode === 'review' &&
    app.approvedAt === null &&
    (app.status === 'awaiting_approval' || WORKING.includes(app.status));
  const unknown = app.submission?.state === 'unknown';
  const done = approve.data ?? resolve.data ?? outcome.data;
  return (
    <section class="panel" aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      {canApprove && (
        <div class="action">
          <p>
            {app.status === 'awaiting_approval'
              ? 'Review the tailored resume below, then approve it to submit it.'
              : 'Approve now and it is submitted as soon as it is rendered.'}
          </p>
          <button
            type="button"
            onClick={() => approve.mutate(undefined)}
            disabled={approve.isPending}
          >
            Approve
          </button>{' '}
          {app.variant && !editing && (
            <button type="button" class="secondary" onClick={() => setEditing(true)}>
              Edit, then approve…
            </button>
          )}
        </div>
      )}
      {canApprove && app.variant && editing && (
        <VariantEditor
          id={app.id}
          resume={app.variant.resume as Draft}
          onClose={() => setEditing(false)}
        />
      )}
      {app.approvedAt && <p class="muted">Approved {new Date(app.approvedAt).toLocaleString()}.</p>}
      {unknown && (
        <fieldset class="action">
          <legend>Did the employer get it?</legend>
          <p>
            The {app.channel} channel failed in a way that leaves this open, so it was not sent
            again. Tell us what happened.
          </p>
          <button type="button" onClick={() => resolve.mutate(true)} disabled={resolve.isPending}>
            Yes, it was delivered
          </button>{' '}
          <button
            type="button"
            class="secondary"
            onClick={() => resolve.mutate(false)}
            disabled={resolve.isPending}
          >
            No, send it again
          </button>
        </fieldset>
      )}
      {app.submittedAt !== null ? (
        <form
          class="grid-form action"
          aria-label="Record the employer's answer"
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            const status = String(form.get('status'));
            const note = String(form.get('note') ?? '').trim();
            if (isOutcome(status)) outcome.mutate({ status, ...(note ? { note } : {}) });
          }}
        >
          <div class="field">
            <label for="outcome-status">Employer's answer</label>
            <select id="outcome-status" name="status">
              {OUTCOMES.map((status) => (
                <option key={status} value={status}>
                  {STATUS_LABELS[status]}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="outcome-note">Note (optional)</label>
            <input id="outcome-note" name="note" type="text" maxLength={2000} />
          </div>
          <div class="form-actions">
            <button type="submit" disabled={outcome.isPending}>
              Record
            </button>
          </div>
        </form>
      ) : (
        !canApprove &&
        !unknown && (
          <p class="muted">
            Nothing to do: the workflow is {STATUS_LABELS[app.status].toLowerCase()}.
          </p>
        )
      )}
      {done && (
        <p class="notice notice-ok" role="status">
          Done: the application is {STATUS_LABELS[done.status].toLowerCase()}.
        </p>
      )}
      {approve.error && <ErrorNotice error={approve.error} title="Could not approve" />}
      {resolve.error && <ErrorNotice error={resolve.error} title="Could not record the delivery" />}
      {outcome.error && <ErrorNotice error={outcome.error} title="Could not record the answer" />}
    </section>
  );
}
