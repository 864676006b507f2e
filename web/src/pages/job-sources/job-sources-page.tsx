/**
 * `/sources`: follow a Greenhouse, Lever or Ashby board with filters, see the
 * boards followed with the cell's last fetch of each (when, and what the board
 * answered), and unfollow. Polls while a board waits for its first fetch.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import type { components, paths } from '../../api/schema.gen.ts';
import { Link } from '../../app/navigation.tsx';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';
import { problemAt } from '../../ui/text-field.tsx';

type FollowedSource = components['schemas']['FollowedJobSource'];
type FollowBody = paths['/v1/job-sources']['post']['requestBody']['content']['application/json'];
type Provider = FollowedSource['provider'];

const PROVIDERS: { value: Provider; label: string }[] = [
  { value: 'greenhouse', label: 'Greenhouse' },
  { value: 'lever', label: 'Lever' },
  { value: 'ashby', label: 'Ashby' },
];
const providerLabel = (provider: Provider) =>
  PROVIDERS.find((p) => p.value === provider)?.label ?? provider;

/** "a, b ,c" → ["a", "b", "c"]; undefined when empty (no filter). */
function list(text: FormDataEntryValue | null): string[] | undefined {
  const items = String(text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function bodyOf(form: FormData): FollowBody {
  const remote = String(form.get('remote') ?? '');
  return {
    provider: String(form.get('provider')) as Provider,
    board: String(form.get('board') ?? '').trim(),
    filters: {
      keywords: list(form.get('keywords')),
      locations: list(form.get('locations')),
      remote: remote === '' ? undefined : remote === 'true',
    },
  };
}

function FollowForm() {
  const queryClient = useQueryClient();
  const follow = useMutation({
    mutationFn: (body: FollowBody) => call(api.POST('/v1/job-sources', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['job-sources'] }),
  });
  const problems = follow.error instanceof ApiProblem ? follow.error.problems : [];
  const boardError = problemAt(problems, '/board');
  return (
    <section class="panel" aria-labelledby="follow-heading">
      <h2 id="follow-heading">Follow a board</h2>
      <form
        class="grid-form"
        onSubmit={(event) => {
          event.preventDefault();
          follow.mutate(bodyOf(new FormData(event.currentTarget)));
        }}
      >
        <div class="field">
          <label for="source-provider">Provider</label>
          <select id="source-provider" name="provider">
            {PROVIDERS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="source-board">Board token</label>
          <input
            id="source-board"
            name="board"
            type="text"
            required
            placeholder="e.g. acme"
            aria-invalid={boardError ? 'true' : undefined}
            aria-describedby={boardError ? 'source-board-error' : 'source-board-hint'}
          />
          {boardError ? (
            <p class="field-error" id="source-board-error">
              {boardError}
            </p>
          ) : (
            <p class="hint muted" id="source-board-hint">
              The name in the board's address, such as acme in boards.greenhouse.io/acme
            </p>
          )}
        </div>
        <div class="field">
          <label for="source-keywords">Keywords (comma-separated, any)</label>
          <input id="source-keywords" name="keywords" type="text" />
        </div>
        <div class="field">
          <label for="source-locations">Locations (comma-separated, any)</label>
          <input id="source-locations" name="locations" type="text" />
        </div>
        <div class="field">
          <label for="source-remote">Remote</label>
          <select id="source-remote" name="remote">
            <option value="">Any</option>
            <option value="true">Remote only</option>
            <option value="false">On-site only</option>
          </select>
        </div>
        <div class="form-actions">
          <button type="submit" disabled={follow.isPending}>
            Follow
          </button>
        </div>
      </form>
      {follow.isSuccess && (
        <p class="notice notice-ok" role="status">
          Following {providerLabel(follow.data.source.provider)} board {follow.data.source.board}.
          {follow.data.linked > 0
            ? ` ${follow.data.linked} of its jobs are already on your Jobs page.`
            : ' Its jobs appear on your Jobs page after the first fetch.'}
        </p>
      )}
      {follow.error && <ErrorNotice error={follow.error} title="Could not follow the board" />}
    </section>
  );
}

function describeFilters(filters: FollowedSource['filters']): string {
  const parts: string[] = [];
  if (filters.keywords?.length) parts.push(`keywords: ${filters.keywords.join(', ')}`);
  if (filters.locations?.length) parts.push(`locations: ${filters.locations.join(', ')}`);
  if (filters.remote !== undefined) parts.push(filters.remote ? 'remote only' : 'on-site only');
  return parts.length > 0 ? parts.join('; ') : 'No filters: every posting';
}

/** The last fetch as a person reads it: when, and what the board answered. */
function FetchResult(props: { source: FollowedSource }) {
  const fetch = props.source.lastFetch;
  if (!fetch) return <span class="muted">Not fetched yet</span>;
  const when = new Date(fetch.at).toLocaleString();
  let result: string;
  let tone: 'ok' | 'error';
  if (fetch.error) {
    result = `Failed${fetch.status ? ` (HTTP ${fetch.status})` : ''}: ${fetch.error}`;
    tone = 'error';
  } else if (fetch.status === 304) {
    result = `Unchanged, ${props.source.openPostings} open postings`;
    tone = 'ok';
  } else {
    result = `OK, ${props.source.openPostings} open postings`;
    tone = 'ok';
  }
  return (
    <span>
      <span class={tone === 'error' ? 'result-error' : 'result-ok'}>{result}</span>
      <span class="muted">
        {' '}
        · {when} · fetch {fetch.count}
      </span>
    </span>
  );
}

function SourceRow(props: { source: FollowedSource }) {
  const { source } = props;
  const queryClient = useQueryClient();
  const unfollow = useMutation({
    mutationFn: () =>
      call(api.DELETE('/v1/job-sources/{id}', { params: { path: { id: source.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['job-sources'] }),
  });
  const name = `${providerLabel(source.provider)} ${source.board}`;
  return (
    <li class="source" aria-label={name}>
      <div>
        <h3 class="source-name">{name}</h3>
        <p class="muted">{describeFilters(source.filters)}</p>
        <p>
          Last fetch: <FetchResult source={source} />
        </p>
        {unfollow.error && (
          <ErrorNotice error={unfollow.error} title={`Could not unfollow ${name}`} />
        )}
      </div>
      <button
        type="button"
        class="secondary"
        onClick={() => unfollow.mutate()}
        disabled={unfollow.isPending}
        aria-label={`Unfollow ${name}`}
      >
        Unfollow
      </button>
    </li>
  );
}

function SourceList() {
  const sources = useQuery({
    queryKey: ['job-sources'],
    queryFn: () => call(api.GET('/v1/job-sources')),
    // A board just followed is fetched by the cell's worker within seconds.
    refetchInterval: (query) =>
      query.state.data?.sources.some((s) => s.lastFetch === null) ? 3_000 : false,
  });
  if (sources.isPending) return <Loading label="Loading your boards" />;
  if (sources.error)
    return <ErrorNotice error={sources.error} title="Could not load your boards" />;
  if (sources.data.sources.length === 0) {
    return (
      <p class="empty" role="status">
        You follow no boards yet. Follow one above and its jobs come to your{' '}
        <Link href="/jobs">Jobs</Link> page.
      </p>
    );
  }
  return (
    <ul class="sources" aria-label="Boards you follow">
      {sources.data.sources.map((source) => (
        <SourceRow key={source.id} source={source} />
      ))}
    </ul>
  );
}

export default function JobSourcesPage() {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <main class="page" id="main">
      <h1 tabIndex={-1} ref={heading}>
        Job sources
      </h1>
      <FollowForm />
      <section class="panel" aria-labelledby="followed-heading">
        <h2 id="followed-heading">Boards you follow</h2>
        <SourceList />
      </section>
    </main>
  );
}
