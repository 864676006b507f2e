/**
 * `/applications/:id` (`GET /v1/applications/:id`): the status and what the
 * user can do now, the PDF, the tailored variant against the profile with its
 * verification, each workflow step with its attempts and errors, the
 * employer's answers and the timeline. Polls while the workflow works.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import type { components } from '../../api/schema.gen.ts';
import { Link } from '../../app/navigation.tsx';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';
import { STATUS_LABELS, WORKING } from '../applications/statuses.ts';
import { ApplicationActions } from './application-actions.tsx';
import { PdfFrame } from './pdf-frame.tsx';
import { VariantPanel } from './variant-panel.tsx';

type Application = components['schemas']['Application'];

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

function Steps(props: { steps: Application['steps'] }) {
  if (props.steps.length === 0) return <p class="empty">No step has run yet.</p>;
  return (
    <table class="table">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Finished</th>
          <th scope="col">Errors</th>
        </tr>
      </thead>
      <tbody>
        {props.steps.map((step) => (
          <tr key={step.step}>
            <th scope="row" class="capitalize">
              {step.step}
            </th>
            <td class={step.status === 'failed' ? 'result-error' : undefined}>{step.status}</td>
            <td>{step.attempts}</td>
            <td>{time(step.finishedAt)}</td>
            <td>
              {step.errors.length === 0 ? (
                'none'
              ) : (
                <ul class="errors">
                  {step.errors.map((error, i) => (
                    <li key={i}>
                      {error.at && <span class="muted">{time(error.at)}: </span>}
                      {error.message}
                    </li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Timeline(props: { events: Application['timeline'] }) {
  if (props.events.length === 0) return <p class="empty">No events yet.</p>;
  return (
    <ol class="timeline">
      {props.events.map((event) => (
        <li key={event.id}>
          <time dateTime={event.occurredAt}>{time(event.occurredAt)}</time>{' '}
          <code>{event.type}</code>
        </li>
      ))}
    </ol>
  );
}

export default function ApplicationDetailPage(props: { id: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const application = useQuery({
    queryKey: ['application', props.id],
    queryFn: () => call(api.GET('/v1/applications/{id}', { params: { path: { id: props.id } } })),
    refetchInterval: (query) => {
      const data = query.state.data;
      return data && (WORKING.includes(data.status) || data.submission?.state === 'sending')
        ? 1_500
        : 10_000;
    },
  });
  useEffect(() => heading.current?.focus(), [application.isPending]);
  if (application.isPending) return <Loading label="Loading the application" />;
  if (application.error && !application.data) {
    return (
      <main class="page" id="main">
        <h1 tabIndex={-1} ref={heading}>
          Application
        </h1>
        <ErrorNotice error={application.error} title="Could not load this application" />
        <p>
          <Link href="/applications">Back to your applications</Link>
        </p>
      </main>
    );
  }
  const app = application.data;
  const failure = app.failure as { reason?: string; message?: string } | null;
  return (
    <main class="page" id="main">
      <p>
        <Link href="/applications">← Applications</Link>
      </p>
      <h1 tabIndex={-1} ref={heading}>
        {app.jobTitle} <span class="muted">at {app.company}</span>
      </h1>
      <p>
        <span class={`badge badge-${app.status}`} role="status">
          {STATUS_LABELS[app.status]}
        </span>{' '}
        <span class="muted">
          {app.mode} mode via {app.channel} · applied {time(app.createdAt)}
          {app.submittedAt && ` · submitted ${time(app.submittedAt)}`} ·{' '}
          <Link href={`/jobs/${app.jobId}`}>the job</Link>
        </span>
      </p>
      {application.error && (
        <ErrorNotice error={application.error} title="Could not refresh this application" />
      )}
      {failure && (
        <div class="notice notice-error">
          <p class="notice-title">It failed{failure.reason ? ` (${failure.reason})` : ''}</p>
          {failure.message && <p>{failure.message}</p>}
        </div>
      )}
      <ApplicationActions app={app} />
      <section class="panel" aria-labelledby="pdf-heading">
        <h2 id="pdf-heading">Resume PDF</h2>
        {app.pdf ? (
          <>
            {app.pdf.textLayerNote && <p class="notice">{app.pdf.textLayerNote}</p>}
            <PdfFrame
              id={app.id}
              sha256={app.pdf.sha256}
              pages={app.pdf.pages}
              title={`Tailored resume for ${app.jobTitle}`}
            />
          </>
        ) : (
          <p class="empty">Not rendered yet.</p>
        )}
      </section>
      <VariantPanel app={app} />
      <section class="panel" aria-labelledby="steps-heading">
        <h2 id="steps-heading">Steps</h2>
        <Steps steps={app.steps} />
        {app.submission && (
          <p>
            Submission: {app.submission.state}, {app.submission.attempts}{' '}
            {app.submission.attempts === 1 ? 'attempt' : 'attempts'}
            {app.submission.lastError && ` — last error: ${app.submission.lastError}`}
          </p>
        )}
      </section>
      <section class="panel" aria-labelledby="outcomes-heading">
        <h2 id="outcomes-heading">Employer's answers</h2>
        {app.outcomes.length === 0 ? (
          <p class="empty">None recorded.</p>
        ) : (
          <ul>
            {app.outcomes.map((outcome) => (
              <li key={`${outcome.at}-${outcome.status}`}>
                {time(outcome.at)}: {outcome.status}
                {outcome.note && ` — ${outcome.note}`}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="panel" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <Timeline events={app.timeline} />
      </section>
    </main>
  );
}
