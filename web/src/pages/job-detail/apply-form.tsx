/**
 * Applies to a job (`POST /v1/applications`): review mode waits for the
 * user's approval of the tailored resume; auto mode submits it when verified.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client.ts';
import type { paths } from '../../api/schema.gen.ts';
import { Link } from '../../app/navigation.tsx';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import { STATUS_LABELS } from '../applications/statuses.ts';

type ApplyBody = paths['/v1/applications']['post']['requestBody']['content']['application/json'];

/** The submission channels of the cell (cell/adapters/submission/registry.ts). */
const CHANNELS: { value: string; label: string }[] = [
  { value: 'manual', label: 'Manual (I send it myself)' },
  { value: 'greenhouse', label: 'Greenhouse' },
  { value: 'lever', label: 'Lever' },
  { value: 'ashby', label: 'Ashby' },
  { value: 'email', label: 'Email' },
  { value: 'webhook', label: 'Webhook' },
];

export function ApplyForm(props: { jobId: string; title: string }) {
  const queryClient = useQueryClient();
  const apply = useMutation({
    mutationFn: (body: ApplyBody) => call(api.POST('/v1/applications', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['applications'] }),
  });
  return (
    <form
      class="panel grid-form"
      aria-labelledby="apply-heading"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        apply.mutate({
          jobId: props.jobId,
          mode: form.get('mode') === 'auto' ? 'auto' : 'review',
          channel: String(form.get('channel') ?? 'manual'),
        });
      }}
    >
      <h2 id="apply-heading" class="form-title">
        Apply
      </h2>
      <fieldset class="field">
        <legend>Mode</legend>
        <label class="inline">
          <input type="radio" name="mode" value="review" defaultChecked /> Review: I approve the
          tailored resume first
        </label>
        <label class="inline">
          <input type="radio" name="mode" value="auto" /> Auto: submit it once verified
        </label>
      </fieldset>
      <div class="field">
        <label for="apply-channel">Channel</label>
        <select id="apply-channel" name="channel" defaultValue="manual">
          {CHANNELS.map((channel) => (
            <option key={channel.value} value={channel.value}>
              {channel.label}
            </option>
          ))}
        </select>
      </div>
      <div class="form-actions">
        <button type="submit" disabled={apply.isPending}>
          {apply.isPending ? 'Applying…' : 'Apply'}
        </button>
      </div>
      <div class="form-wide">
        {apply.data && (
          <div class="notice notice-ok" role="status">
            <p>
              Applied to {props.title}: {STATUS_LABELS[apply.data.status].toLowerCase()}.{' '}
              <Link href={`/applications/${apply.data.applicationId}`}>Open the application</Link>{' '}
              or see it on the <Link href="/applications">board</Link>.
            </p>
          </div>
        )}
        {apply.error && <ErrorNotice error={apply.error} title="Could not apply" />}
      </div>
    </form>
  );
}
