/**
 * The chosen variant against the master profile it was made from: what was
 * selected, left out, reordered and reworded, with each candidate's
 * verification (violations, rewrites rejected and what replaced them).
 */
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client.ts';
import type { components } from '../../api/schema.gen.ts';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';
import { diffVariant, type SectionDiff } from './variant-diff.ts';

type Application = components['schemas']['Application'];

const SECTION_NAMES: Record<string, string> = {
  work: 'Work',
  projects: 'Projects',
  volunteer: 'Volunteering',
  education: 'Education',
  skills: 'Skills',
  awards: 'Awards',
  certificates: 'Certificates',
  publications: 'Publications',
  languages: 'Languages',
  interests: 'Interests',
};

function Section(props: { diff: SectionDiff }) {
  const { diff } = props;
  const name = SECTION_NAMES[diff.section] ?? diff.section;
  const notes = [
    `${diff.entries.length} of ${diff.total} selected`,
    diff.reordered ? 'reordered' : undefined,
  ].filter(Boolean);
  return (
    <section class="diff-section" aria-label={name}>
      <h4>
        {name} <span class="muted">({notes.join(', ')})</span>
      </h4>
      <ol class="diff-entries">
        {diff.entries.map((entry) => (
          <li key={entry.label}>
            <span class="diff-entry">{entry.label}</span>
            {entry.reorderedHighlights && <span class="tag">reordered</span>}
            {entry.highlights.length > 0 && (
              <ul class="diff-lines">
                {entry.highlights.map((line) => (
                  <li key={line.text} class={`diff-${line.kind}`}>
                    {line.kind === 'reworded' && (
                      <span class="tag tag-reworded">
                        reworded{line.cites > 0 && `, cites ${line.cites}`}
                      </span>
                    )}{' '}
                    {line.text}
                  </li>
                ))}
                {entry.droppedHighlights.map((line) => (
                  <li key={`dropped-${line}`} class="diff-dropped">
                    <span class="tag">left out</span> <del>{line}</del>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {diff.dropped.length > 0 && (
        <p class="diff-dropped">
          <span class="tag">left out</span>{' '}
          {diff.dropped.map((label) => (
            <del key={label}>{label} </del>
          ))}
        </p>
      )}
    </section>
  );
}

function Verification(props: { app: Application }) {
  const { app } = props;
  if (app.candidates.length === 0) return <p class="empty">No candidates generated yet.</p>;
  return (
    <table class="table">
      <caption class="visually-hidden">Candidates and their verification</caption>
      <thead>
        <tr>
          <th scope="col">Strategy</th>
          <th scope="col">Verification</th>
          <th scope="col">Rewrites</th>
        </tr>
      </thead>
      <tbody>
        {app.candidates.map((candidate) => {
          const chosen =
            candidate.strategy === app.variant?.strategy &&
            candidate.source === app.variant?.source;
          const rejections = candidate.rejections ?? [];
          return (
            <tr key={`${candidate.strategy}/${candidate.source}`} class={chosen ? 'chosen' : ''}>
              <th scope="row">
                {candidate.strategy} ({candidate.source}){chosen && ' — chosen'}
              </th>
              <td>
                {candidate.ok === null ? (
                  'not verified yet'
                ) : candidate.ok ? (
                  <span class="result-ok">passed</span>
                ) : (
                  <span class="result-error">
                    failed:{' '}
                    {(candidate.violations ?? []).map((v) => `${v.value} (${v.reason})`).join('; ')}
                  </span>
                )}
              </td>
              <td>
                {(candidate.citations ?? []).length} cited
                {rejections.length > 0 && (
                  <ul class="rejections">
                    {rejections.map((r) => (
                      <li key={r.pointer}>
                        Rejected <q>{r.text}</q>: {r.reason}
                        {r.offending.length > 0 && ` (${r.offending.join(', ')})`};{' '}
                        {r.replacedBy === null ? (
                          'dropped'
                        ) : (
                          <>
                            kept the profile's <q>{r.replacedBy}</q>
                          </>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function VariantPanel(props: { app: Application }) {
  const { app } = props;
  const master = useQuery({
    queryKey: ['profile-version', app.profileVersion],
    queryFn: () =>
      call(
        api.GET('/v1/profile/versions/{version}', {
          params: { path: { version: String(app.profileVersion) } },
        }),
      ),
    enabled: app.variant !== null,
    staleTime: Number.POSITIVE_INFINITY, // a version never changes
  });
  const chosen = app.candidates.find(
    (c) => c.strategy === app.variant?.strategy && c.source === app.variant?.source,
  );
  let diff: preact.ComponentChildren;
  if (app.variant === null) diff = <p class="empty">The tailored resume is not generated yet.</p>;
  else if (master.isPending) diff = <Loading label="Loading your profile" />;
  else if (master.error)
    diff = <ErrorNotice error={master.error} title="Could not load your profile" />;
  else {
    const result = diffVariant(master.data, app.variant.resume, chosen?.citations ?? []);
    diff = (
      <>
        {result.summary && (
          <div class="diff-section">
            <h4>
              Summary <span class="tag tag-reworded">reworded, cites {result.summary.cites}</span>
            </h4>
            <p>
              <del>{result.summary.from}</del>
            </p>
            <p>
              <ins>{result.summary.to}</ins>
            </p>
          </div>
        )}
        {result.sections.map((section) => (
          <Section key={section.section} diff={section} />
        ))}
      </>
    );
  }
  return (
    <section class="panel" aria-labelledby="variant-heading">
      <h2 id="variant-heading">Tailored resume vs your profile</h2>
      {app.variant && (
        <p class="muted">
          Strategy {app.variant.strategy ?? 'none'} ({app.variant.source}) from profile version{' '}
          {app.profileVersion}.
        </p>
      )}
      <h3>Verification</h3>
      <Verification app={app} />
      <h3>What changed</h3>
      {diff}
    </section>
  );
}
