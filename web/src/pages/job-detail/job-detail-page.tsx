/**
 * `/jobs/:id`: one job (`GET /v1/jobs/:id`): the structured analysis, the
 * match explained keyword by keyword, every board it was seen on, its
 * description, and the form that applies to it.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import type { components } from '../../api/schema.gen.ts';
import { Link } from '../../app/navigation.tsx';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';
import { Keywords, Score } from '../jobs/job-card.tsx';
import { ApplyForm } from './apply-form.tsx';

type Job = components['schemas']['Job'];

const REMOTE: Record<NonNullable<Job['analysis']>['remote'], string> = {
  remote: 'Remote',
  hybrid: 'Hybrid',
  onsite: 'On site',
  unknown: 'Not stated',
};

const date = (iso: string) => new Date(iso).toLocaleDateString();

function Analysis(props: { analysis: Job['analysis'] }) {
  const { analysis } = props;
  return (
    <section class="panel" aria-labelledby="analysis-heading">
      <h2 id="analysis-heading">Analysis</h2>
      {analysis === null ? (
        <p class="empty" role="status">
          Not analyzed yet: the cell analyzes new jobs in the background. This page updates when it
          is done.
        </p>
      ) : (
        <>
          <dl class="facts">
            <dt>Seniority</dt>
            <dd class="capitalize">
              {analysis.seniority === 'unknown' ? 'Not stated' : analysis.seniority}
            </dd>
            <dt>Years of experience</dt>
            <dd>{analysis.yearsMin === null ? 'Not stated' : `${analysis.yearsMin}+`}</dd>
            <dt>Remote</dt>
            <dd>{REMOTE[analysis.remote]}</dd>
            <dt>Location</dt>
            <dd>{analysis.location ?? 'Not stated'}</dd>
          </dl>
          <SkillList label="Must-have skills" skills={analysis.mustHave} />
          <SkillList label="Nice-to-have skills" skills={analysis.niceToHave} />
        </>
      )}
    </section>
  );
}

function SkillList(props: { label: string; skills: string[] }) {
  return (
    <div class="keywords">
      <span class="keywords-label">{props.label}</span>
      {props.skills.length === 0 ? (
        <span class="muted">none stated</span>
      ) : (
        <ul class="chips" aria-label={props.label}>
          {props.skills.map((skill) => (
            <li key={skill} class="chip">
              {skill}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Match(props: { match: Job['match'] }) {
  const { match } = props;
  return (
    <section class="panel" aria-labelledby="match-heading">
      <h2 id="match-heading">Match</h2>
      {match.score === null ? (
        <p class="empty" role="status">
          Not scored yet: it is scored against your profile once analyzed.
        </p>
      ) : (
        <>
          <p>
            <Score score={match.score} />
            {match.profileVersion !== null && (
              <span class="muted"> against profile version {match.profileVersion}</span>
            )}
          </p>
          <p class="muted">
            {match.matched.length} of {match.matched.length + match.missing.length} of the job's
            keywords are in your profile.
          </p>
          <Keywords label="Matched keywords" words={match.matched} kind="matched" />
          <Keywords label="Missing keywords" words={match.missing} kind="missing" />
        </>
      )}
    </section>
  );
}

function Sources(props: { sources: Job['sources'] }) {
  return (
    <section class="panel" aria-labelledby="sources-heading">
      <h2 id="sources-heading">Seen on</h2>
      {props.sources.length === 0 ? (
        <p class="empty">Added by hand: no board lists it.</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Board</th>
              <th scope="col">Posting</th>
              <th scope="col">Status</th>
              <th scope="col">First seen</th>
            </tr>
          </thead>
          <tbody>
            {props.sources.map((source) => (
              <tr key={`${source.provider}/${source.board}/${source.externalId}`}>
                <td>
                  <span class="capitalize">{source.provider}</span> {source.board}
                </td>
                <td>
                  {source.url ? (
                    <a href={source.url} rel="noreferrer noopener" target="_blank">
                      {source.externalId}
                    </a>
                  ) : (
                    source.externalId
                  )}
                </td>
                <td>
                  {source.status}
                  {source.closedAt && ` on ${date(source.closedAt)}`}
                </td>
                <td>{date(source.firstSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export default function JobDetailPage(props: { id: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const job = useQuery({
    queryKey: ['job', props.id],
    queryFn: () => call(api.GET('/v1/jobs/{id}', { params: { path: { id: props.id } } })),
    // Analysis and scoring run in the cell's worker: look again until they are in.
    refetchInterval: (query) =>
      query.state.data && (query.state.data.analysis === null || query.state.data.score === null)
        ? 3_000
        : false,
  });
  useEffect(() => heading.current?.focus(), [job.isPending]);
  if (job.isPending) return <Loading label="Loading the job" />;
  if (job.error) {
    return (
      <main class="page" id="main">
        <h1 tabIndex={-1} ref={heading}>
          Job
        </h1>
        <ErrorNotice error={job.error} title="Could not load this job" />
        <p>
          <Link href="/jobs">Back to your jobs</Link>
        </p>
      </main>
    );
  }
  const data = job.data;
  const where = [data.location, data.remote ? 'Remote' : undefined].filter(Boolean).join(' · ');
  return (
    <main class="page" id="main">
      <p>
        <Link href="/jobs">← Jobs</Link>
      </p>
      <h1 tabIndex={-1} ref={heading}>
        {data.title}
      </h1>
      <p class="muted">
        {data.company}
        {where && ` · ${where}`} · {data.jobStatus === 'closed' ? 'closed' : 'open'} · found{' '}
        {date(data.discoveredAt)}
        {data.url && (
          <>
            {' · '}
            <a href={data.url} rel="noreferrer noopener" target="_blank">
              Posting
            </a>
          </>
        )}
      </p>
      <ApplyForm jobId={data.id} title={data.title} />
      <Analysis analysis={data.analysis} />
      <Match match={data.match} />
      <Sources sources={data.sources} />
      <details class="panel">
        <summary>Description</summary>
        <p class="description">{data.description}</p>
      </details>
    </main>
  );
}
