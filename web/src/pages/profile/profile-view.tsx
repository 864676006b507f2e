/** The stored profile as a person reads it, and its versions; loading, empty and error states. */
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';
import { VersionHistory } from './version-history.tsx';

type Resume = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;
const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object')
    : [];

function dates(item: Record<string, unknown>): string {
  const start = text(item.startDate);
  const end = text(item.endDate) ?? (start ? 'present' : undefined);
  return start ? `${start} – ${end}` : '';
}

function Entries(props: { title: string; items: Record<string, unknown>[]; head: string[] }) {
  if (props.items.length === 0) return null;
  return (
    <section class="panel">
      <h3>{props.title}</h3>
      <ul class="entries">
        {props.items.map((item, index) => (
          <li key={index}>
            <strong>
              {props.head
                .map((key) => text(item[key]))
                .filter(Boolean)
                .join(' · ')}
            </strong>
            {dates(item) && <span class="muted"> {dates(item)}</span>}
            {text(item.summary) && <p>{text(item.summary)}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Resume(props: { resume: Resume }) {
  const basics = (props.resume.basics ?? {}) as Record<string, unknown>;
  const skills = records(props.resume.skills);
  return (
    <article aria-label="Profile">
      <header class="panel">
        <h2>{text(basics.name) ?? 'Unnamed'}</h2>
        {text(basics.label) && <p class="muted">{text(basics.label)}</p>}
        {text(basics.email) && <p>{text(basics.email)}</p>}
        {text(basics.summary) && <p>{text(basics.summary)}</p>}
      </header>
      <Entries title="Work" items={records(props.resume.work)} head={['position', 'name']} />
      <Entries
        title="Education"
        items={records(props.resume.education)}
        head={['studyType', 'area', 'institution']}
      />
      <Entries title="Projects" items={records(props.resume.projects)} head={['name']} />
      {skills.length > 0 && (
        <section class="panel">
          <h3>Skills</h3>
          <ul class="chips">
            {skills.map((skill) => (
              <li key={text(skill.name)} class="chip">
                {text(skill.name)}
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}

/** Downloads the stored JSON Resume byte for byte, as it was imported. */
function ExportButton() {
  const download = useMutation({
    mutationFn: () => call(api.GET('/v1/profile', { parseAs: 'text' })),
    onSuccess: (text) => {
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 'resume.json';
      link.click();
      URL.revokeObjectURL(url);
    },
  });
  return (
    <div class="actions">
      <button type="button" onClick={() => download.mutate()} disabled={download.isPending}>
        Export JSON Resume
      </button>
      {download.error && <ErrorNotice error={download.error} title="Could not export" />}
    </div>
  );
}

export function ProfileView(props: { onEdit(document: Record<string, unknown>): void }) {
  const profile = useQuery({
    queryKey: ['profile'],
    queryFn: () => call(api.GET('/v1/profile')),
  });
  if (profile.isPending) return <Loading label="Loading your profile" />;
  if (profile.error instanceof ApiProblem && profile.error.status === 404) {
    return (
      <div class="empty" role="status">
        <p>No profile yet. Import a JSON Resume file above to start, or write one here.</p>
        <button type="button" onClick={() => props.onEdit({ basics: {} })}>
          Write one in the form editor
        </button>
      </div>
    );
  }
  if (profile.error)
    return <ErrorNotice error={profile.error} title="Could not load your profile" />;
  return (
    <>
      <div class="actions">
        <button type="button" onClick={() => props.onEdit(profile.data as Record<string, unknown>)}>
          Edit in the form editor
        </button>
      </div>
      <ExportButton />
      <Resume resume={profile.data} />
      <VersionHistory />
    </>
  );
}
