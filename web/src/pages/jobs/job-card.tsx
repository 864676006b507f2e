/** One job in the list, linked to its page: its match score with matched and missing keywords, and save or dismiss. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client.ts';
import type { components } from '../../api/schema.gen.ts';
import { Link } from '../../app/navigation.tsx';
import { ErrorNotice } from '../../ui/error-notice.tsx';

export type JobSummary = components['schemas']['JobSummary'];
type JobStatus = JobSummary['status'];

export function Keywords(props: { label: string; words: string[]; kind: 'matched' | 'missing' }) {
  if (props.words.length === 0) return null;
  return (
    <div class="keywords">
      <span class="keywords-label">{props.label}</span>
      <ul class="chips" aria-label={props.label}>
        {props.words.map((word) => (
          <li key={word} class={`chip chip-${props.kind}`}>
            {/* The list's name says which; the mark is for the eye. */}
            <span aria-hidden="true">{props.kind === 'matched' ? '✓ ' : '✗ '}</span>
            {word}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Score(props: { score: number | null }) {
  if (props.score === null) return <span class="score score-none">Not scored yet</span>;
  const band = props.score >= 70 ? 'high' : props.score >= 40 ? 'mid' : 'low';
  return <span class={`score score-${band}`}>Match {props.score}%</span>;
}

export function JobCard(props: { job: JobSummary }) {
  const { job } = props;
  const queryClient = useQueryClient();
  const setStatus = useMutation({
    mutationFn: (status: JobStatus) =>
      call(api.PATCH('/v1/jobs/{id}', { params: { path: { id: job.id } }, body: { status } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['jobs'] }),
  });
  const toggle = (status: 'saved' | 'dismissed') =>
    setStatus.mutate(job.status === status ? 'new' : status);
  const where = [job.location, job.remote ? 'Remote' : undefined].filter(Boolean).join(' · ');
  return (
    <li class="job" aria-label={`${job.title} at ${job.company}`}>
      <div class="job-head">
        <div>
          <h3 class="job-title">
            <Link href={`/jobs/${job.id}`}>{job.title}</Link>
          </h3>
          <p class="muted">
            {job.company}
            {where && ` · ${where}`}
            {job.jobStatus === 'closed' && ' · closed'}
          </p>
        </div>
        <Score score={job.score} />
      </div>
      <Keywords label="Matched keywords" words={job.matched} kind="matched" />
      <Keywords label="Missing keywords" words={job.missing} kind="missing" />
      <div class="job-actions">
        {job.status !== 'new' && <span class={`status status-${job.status}`}>{job.status}</span>}
        <button
          type="button"
          class="secondary"
          aria-pressed={job.status === 'saved'}
          onClick={() => toggle('saved')}
          disabled={setStatus.isPending}
        >
          {job.status === 'saved' ? 'Saved' : 'Save'}
        </button>
        <button
          type="button"
          class="secondary"
          aria-pressed={job.status === 'dismissed'}
          onClick={() => toggle('dismissed')}
          disabled={setStatus.isPending}
        >
          {job.status === 'dismissed' ? 'Dismissed' : 'Dismiss'}
        </button>
      </div>
      {setStatus.error && (
        <ErrorNotice error={setStatus.error} title={`Could not update ${job.title}`} />
      )}
    </li>
  );
}
