/**
 * `/jobs`: the user's jobs, newest first, with search and filters on the
 * cursor API (`GET /v1/jobs`): the next page loads as the end of the list
 * scrolls into view (infinite scroll), or with the "Load more" button for the
 * keyboard; each job's match, save or dismiss, and a job added by hand.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { memo } from 'preact/compat';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import type { paths } from '../../api/schema.gen.ts';
import { Link } from '../../app/navigation.tsx';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';
import { problemAt } from '../../ui/text-field.tsx';
import { JobCard } from './job-card.tsx';

/**
 * A card re-renders only when its own job changes: appending a page of the
 * cursor API keeps the earlier pages' objects, so a long list is not diffed
 * again card by card (bench/web.ts measures the long tasks while scrolling).
 */
const MemoJobCard = memo(JobCard);

import { ManualJobForm } from './manual-job-form.tsx';

type JobQuery = NonNullable<paths['/v1/jobs']['get']['parameters']['query']>;
type Filters = Omit<JobQuery, 'cursor' | 'limit'>;

const PAGE_SIZE = 20;

function filtersOf(form: FormData): Filters {
  const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
  // The query string's own types: the API parses and bounds them (a bad one is a 400 at its field).
  return {
    q: text('q'),
    location: text('location'),
    minScore: text('minScore'),
    remote: text('remote') as Filters['remote'],
    status: text('status') as Filters['status'],
  };
}

function FilterForm(props: { onApply: (filters: Filters) => void; error: unknown }) {
  const problems = props.error instanceof ApiProblem ? props.error.problems : [];
  const minScoreError = problemAt(problems, '/minScore');
  return (
    <form
      class="panel grid-form"
      aria-label="Search and filters"
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply(filtersOf(new FormData(event.currentTarget)));
      }}
    >
      <div class="field">
        <label for="jobs-q">Search title or company</label>
        <input id="jobs-q" name="q" type="search" />
      </div>
      <div class="field">
        <label for="jobs-location">Location</label>
        <input id="jobs-location" name="location" type="text" />
      </div>
      <div class="field">
        <label for="jobs-min-score">Minimum score</label>
        <input
          id="jobs-min-score"
          name="minScore"
          type="number"
          min={0}
          max={100}
          aria-invalid={minScoreError ? 'true' : undefined}
          aria-describedby={minScoreError ? 'jobs-min-score-error' : undefined}
        />
        {minScoreError && (
          <p class="field-error" id="jobs-min-score-error">
            {minScoreError}
          </p>
        )}
      </div>
      <div class="field">
        <label for="jobs-remote">Remote</label>
        <select id="jobs-remote" name="remote">
          <option value="">Any</option>
          <option value="true">Remote</option>
          <option value="false">Not remote</option>
        </select>
      </div>
      <div class="field">
        <label for="jobs-status">Status</label>
        <select id="jobs-status" name="status">
          <option value="">Any</option>
          <option value="new">New</option>
          <option value="saved">Saved</option>
          <option value="dismissed">Dismissed</option>
        </select>
      </div>
      <div class="form-actions">
        <button type="submit">Apply filters</button>
      </div>
    </form>
  );
}

function JobList(props: { filters: Filters; filtered: boolean; onError: (e: unknown) => void }) {
  const jobs = useInfiniteQuery({
    queryKey: ['jobs', props.filters],
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/v1/jobs', {
          params: { query: { ...props.filters, limit: String(PAGE_SIZE), cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const { onError } = props;
  useEffect(() => onError(jobs.error), [jobs.error, onError]);
  // Infinite scroll: the next page is fetched when the end of the list comes near the viewport.
  const end = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = jobs;
  useEffect(() => {
    const sentinel = end.current;
    if (!sentinel || !hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) {
          void fetchNextPage();
        }
      },
      { rootMargin: '400px 0px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  if (jobs.isPending) return <Loading label="Loading your jobs" />;
  if (jobs.error && !jobs.data) {
    return <ErrorNotice error={jobs.error} title="Could not load your jobs" />;
  }
  const all = jobs.data?.pages.flatMap((page) => page.jobs) ?? [];
  if (all.length === 0) {
    return (
      <p class="empty" role="status">
        {props.filtered ? (
          'No jobs match these filters.'
        ) : (
          <>
            No jobs yet. <Link href="/sources">Follow a board</Link> or add a job by hand above.
          </>
        )}
      </p>
    );
  }
  return (
    <>
      <p class="muted" role="status">
        {all.length} {all.length === 1 ? 'job' : 'jobs'} shown
        {jobs.hasNextPage ? ', more below' : ''}
      </p>
      <ul class="jobs" aria-label="Jobs">
        {all.map((job) => (
          <MemoJobCard key={job.id} job={job} />
        ))}
      </ul>
      {jobs.error && <ErrorNotice error={jobs.error} title="Could not load more jobs" />}
      <div class="actions" ref={end}>
        {jobs.hasNextPage && (
          <button
            type="button"
            onClick={() => void jobs.fetchNextPage()}
            disabled={jobs.isFetchingNextPage}
          >
            {jobs.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        )}{' '}
        <button
          type="button"
          class="secondary"
          onClick={() => void jobs.refetch()}
          disabled={jobs.isFetching}
        >
          Refresh
        </button>
      </div>
    </>
  );
}

export default function JobsPage() {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const [filters, setFilters] = useState<Filters>({});
  const [error, setError] = useState<unknown>();
  const filtered = Object.values(filters).some((value) => value !== undefined);
  return (
    <main class="page" id="main">
      <h1 tabIndex={-1} ref={heading}>
        Jobs
      </h1>
      <ManualJobForm />
      <FilterForm onApply={setFilters} error={error} />
      <JobList filters={filters} filtered={filtered} onError={setError} />
    </main>
  );
}
