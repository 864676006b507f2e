/**
 * Board discovery: fetch a board once for the whole cell, then reconcile its
 * postings with what is stored. New postings become jobs (or join the job of a
 * near-duplicate), edited ones are updated, missing ones are closed, and each
 * follower gets a `job.discovered` event for each job new to them, all in one
 * transaction. The BullMQ processor is a thin call to `syncBoard`.
 */
import type postgres from 'postgres';
import { newId } from '../../../lib/ids.ts';
import type { Logger } from '../../../lib/logger.ts';
import type {
  JobBoardAdapter,
  NormalizedPosting,
  Provider,
} from '../../adapters/job-boards/types.ts';
import { BoardFetchError, BoardNotFoundError } from '../../adapters/job-boards/types.ts';
import { jsonRows } from '../../infra/json-rows.ts';
import type { FollowUpQueue } from '../../infra/queues.ts';
import { type JobLink, linkJobsToUsers } from '../jobs/user-jobs.ts';
import { inactiveUsers, lockUserStatesShared } from '../user-lifecycle/user-states.ts';
import {
  postingContentHash,
  postingFingerprint,
  postingSignature,
  postingTitleKey,
} from './fingerprint.ts';
import {
  indexPostings,
  loadNearDuplicateIndex,
  type PostingShape,
  postingShape,
} from './near-duplicates.ts';
import { passesFilters, type SourceFilters } from './source-filters.ts';

/** Advisory lock under which new board jobs are clustered (and migrated jobs matched). */
export const JOBS_CLUSTER_LOCK = 'jobs:cluster';

export interface SyncSummary {
  provider: Provider;
  board: string;
  status: 'synced' | 'not_modified' | 'no_followers';
  fetched: number;
  created: number;
  /** New postings that joined an existing job (exact or near-duplicates). */
  duplicates: number;
  /** Of those, the ones found by MinHash rather than by the exact fingerprint. */
  nearDuplicates: number;
  updated: number;
  reopened: number;
  closed: number;
  linked: number;
}

interface Follower {
  userId: string;
  filters: SourceFilters;
}

interface PreparedPosting extends NormalizedPosting {
  contentHash: string;
  fingerprint: string;
  shape: PostingShape;
}

interface ExistingPosting {
  id: string;
  job_id: string;
  external_id: string;
  content_hash: string;
  status: string;
  board: string | null;
  unindexed: boolean;
}

/**
 * The board's reconciliation lock, for the rest of the transaction: a sync
 * holds it while it stores postings and links followers, a follow while it
 * links the postings already stored.
 */
export async function lockBoard(
  tx: postgres.TransactionSql,
  provider: Provider,
  board: string,
): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext(${`board:${provider}:${board}`}))`;
}

export class DiscoveryService {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly adapters: Record<Provider, JobBoardAdapter>,
    private readonly followUp: FollowUpQueue,
    private readonly logger: Logger,
  ) {}

  async followersOf(
    provider: Provider,
    board: string,
    sql: postgres.Sql | postgres.TransactionSql = this.sql,
  ): Promise<Follower[]> {
    const rows = await sql<{ user_id: string; filters: SourceFilters }[]>`
      select user_id, filters from job_sources where provider = ${provider} and board = ${board}`;
    return rows.map((row) => ({ userId: row.user_id, filters: row.filters }));
  }

  /** Fetches one board and reconciles it. Safe to repeat (BullMQ delivers at least once). */
  async syncBoard(provider: Provider, board: string): Promise<SyncSummary> {
    const summary: SyncSummary = {
      provider,
      board,
      status: 'synced',
      fetched: 0,
      created: 0,
      duplicates: 0,
      nearDuplicates: 0,
      updated: 0,
      reopened: 0,
      closed: 0,
      linked: 0,
    };
    if ((await this.followersOf(provider, board)).length === 0) {
      return { ...summary, status: 'no_followers' };
    }

    await this.sql`
      insert into boards (provider, board) values (${provider}, ${board}) on conflict do nothing`;
    const [state] = await this.sql<{ etag: string | null; last_modified: string | null }[]>`
      select etag, last_modified from boards where provider = ${provider} and board = ${board}`;
    const adapter = this.adapters[provider];
    let result: Awaited<ReturnType<JobBoardAdapter['fetchBoard']>>;
    try {
      result = await adapter.fetchBoard(board, {
        etag: state?.etag ?? null,
        lastModified: state?.last_modified ?? null,
      });
    } catch (error) {
      const status =
        error instanceof BoardNotFoundError
          ? 404
          : error instanceof BoardFetchError
            ? (error.status ?? null)
            : null;
      await this.sql`
        update boards set last_fetched_at = now(), last_status = ${status},
          last_error = ${(error as Error).message}, fetch_count = fetch_count + 1
        where provider = ${provider} and board = ${board}`;
      throw error;
    }
    if (result.status === 'not_modified') {
      await this.sql`
        update boards set last_fetched_at = now(), last_status = 304, last_error = null,
          fetch_count = fetch_count + 1
        where provider = ${provider} and board = ${board}`;
      return { ...summary, status: 'not_modified' };
    }

    const seen = new Set<string>();
    const postings: PreparedPosting[] = [];
    for (const posting of result.postings) {
      if (seen.has(posting.externalId)) continue;
      seen.add(posting.externalId);
      postings.push({
        ...posting,
        contentHash: postingContentHash(posting),
        fingerprint: postingFingerprint(posting),
        shape: postingShape(postingTitleKey(posting), postingSignature(posting)),
      });
    }
    summary.fetched = postings.length;

    const toAnalyze = new Set<string>();
    const newLinks = await this.sql.begin(async (tx) => {
      // One board reconciles at a time, even if a retry overlaps a slow run; a
      // follow takes the same lock, so its user is either a follower read here
      // or sees the postings this run stores.
      await lockBoard(tx, provider, board);
      const followers = await this.followersOf(provider, board, tx);
      const existingRows = await tx<ExistingPosting[]>`
        select id, job_id, external_id, content_hash, status, board,
          minhash is null as unindexed
        from postings
        where provider = ${provider} and external_id = any(${postings.map((p) => p.externalId)})`;
      const existing = new Map(existingRows.map((row) => [row.external_id, row]));

      const jobOfPosting = new Map<string, string>();
      const unchangedIds: string[] = [];
      const fresh: PreparedPosting[] = [];
      // Edited postings get a new signature (they never change job, however far
      // the edit goes); postings stored before signatures existed get one.
      const toIndex: { postingId: string; shape: PostingShape }[] = [];
      for (const posting of postings) {
        const row = existing.get(posting.externalId);
        if (!row) {
          fresh.push(posting);
          continue;
        }
        jobOfPosting.set(posting.externalId, row.job_id);
        const changed = row.content_hash !== posting.contentHash;
        const reopened = row.status !== 'open';
        if (changed || row.unindexed) toIndex.push({ postingId: row.id, shape: posting.shape });
        if (!changed && !reopened && row.board === board) {
          unchangedIds.push(row.id);
          continue;
        }
        await tx`
          update postings set title = ${posting.title}, company = ${posting.company},
            location = ${posting.location}, remote = ${posting.remote},
            description = ${posting.description}, url = ${posting.url},
            content_hash = ${posting.contentHash}, board = ${board}, status = 'open',
            closed_at = null, last_seen_at = now()
          where id = ${row.id}`;
        if (changed) {
          await tx`
            update jobs set title = ${posting.title}, company = ${posting.company},
              location = ${posting.location}, remote = ${posting.remote},
              description = ${posting.description}, url = ${posting.url},
              content_hash = ${posting.contentHash}, status = 'open', updated_at = now()
            where id = ${row.job_id}`;
          toAnalyze.add(row.job_id);
          summary.updated++;
        } else {
          await tx`update jobs set status = 'open', updated_at = now() where id = ${row.job_id}`;
        }
        if (reopened) summary.reopened++;
      }
      if (unchangedIds.length > 0) {
        await tx`update postings set last_seen_at = now() where id = any(${unchangedIds})`;
      }
      // Before clustering, so new postings are compared with these signatures.
      await indexPostings(tx, toIndex);

      // New postings: join the job of an exact or near duplicate, or create a job.
      if (fresh.length > 0) {
        // Boards clustering new postings take turns, so two boards listing the
        // same new posting at the same moment still make one job.
        await tx`select pg_advisory_xact_lock(hashtext(${JOBS_CLUSTER_LOCK}))`;
        const fingerprints = [...new Set(fresh.map((p) => p.fingerprint))];
        const known = await tx<{ id: string; fingerprint: string }[]>`
          select id, fingerprint from jobs
          where owner_user_id is null and fingerprint = any(${fingerprints})`;
        const jobOfFingerprint = new Map(known.map((row) => [row.fingerprint, row.id]));
        const near = await loadNearDuplicateIndex(
          tx,
          fresh.filter((p) => !jobOfFingerprint.has(p.fingerprint)).map((p) => p.shape),
        );
        const jobOfFresh = new Map<string, string>();
        const newJobs: Record<string, unknown>[] = [];
        for (const posting of fresh) {
          const exact = jobOfFingerprint.get(posting.fingerprint);
          if (exact) {
            summary.duplicates++;
            jobOfFresh.set(posting.externalId, exact);
            near.add(exact, posting.shape);
            continue;
          }
          const match = near.find(posting.shape);
          if (match) {
            summary.duplicates++;
            summary.nearDuplicates++;
            jobOfFresh.set(posting.externalId, match.jobId);
            near.add(match.jobId, posting.shape);
            continue;
          }
          const id = newId();
          jobOfFingerprint.set(posting.fingerprint, id);
          jobOfFresh.set(posting.externalId, id);
          near.add(id, posting.shape);
          newJobs.push({
            id,
            fingerprint: posting.fingerprint,
            title: posting.title,
            company: posting.company,
            location: posting.location,
            remote: posting.remote,
            description: posting.description,
            url: posting.url,
            content_hash: posting.contentHash,
          });
        }
        if (newJobs.length > 0) {
          const inserted = await tx<{ id: string }[]>`
            insert into jobs (id, fingerprint, title, company, location, remote, description, url, content_hash)
            select * from jsonb_to_recordset(${jsonRows(tx, newJobs)})
              as x(id uuid, fingerprint text, title text, company text, location text,
                   remote boolean, description text, url text, content_hash text)
            on conflict (fingerprint) where owner_user_id is null do nothing
            returning id`;
          const insertedIds = new Set(inserted.map((row) => row.id));
          summary.created += insertedIds.size;
          for (const id of insertedIds) toAnalyze.add(id);
          if (insertedIds.size < newJobs.length) {
            // Cannot happen under the cluster lock; kept as the fingerprint
            // index's fallback: use the job that holds the fingerprint.
            const lost = newJobs.filter((job) => !insertedIds.has(job.id as string));
            const winners = await tx<{ id: string; fingerprint: string }[]>`
              select id, fingerprint from jobs where owner_user_id is null
                and fingerprint = any(${lost.map((job) => job.fingerprint as string)})`;
            const winnerOf = new Map(winners.map((row) => [row.fingerprint, row.id]));
            const replaced = new Map(
              lost.map((job) => [job.id as string, winnerOf.get(job.fingerprint as string)]),
            );
            for (const [externalId, jobId] of jobOfFresh) {
              const winner = replaced.get(jobId);
              if (winner) jobOfFresh.set(externalId, winner);
            }
          }
        }
        const newPostings = fresh.map((posting) => {
          const jobId = jobOfFresh.get(posting.externalId) as string;
          jobOfPosting.set(posting.externalId, jobId);
          return {
            id: newId(),
            job_id: jobId,
            provider,
            board,
            external_id: posting.externalId,
            title: posting.title,
            company: posting.company,
            location: posting.location,
            remote: posting.remote,
            description: posting.description,
            url: posting.url,
            content_hash: posting.contentHash,
          };
        });
        const insertedPostings = await tx<{ id: string; external_id: string }[]>`
          insert into postings (id, job_id, provider, board, external_id, title, company, location,
                                remote, description, url, content_hash)
          select * from jsonb_to_recordset(${jsonRows(tx, newPostings)})
            as x(id uuid, job_id uuid, provider text, board text, external_id text, title text,
                 company text, location text, remote boolean, description text, url text,
                 content_hash text)
          on conflict (provider, external_id) do nothing
          returning id, external_id`;
        const shapeOf = new Map(fresh.map((posting) => [posting.externalId, posting.shape]));
        await indexPostings(
          tx,
          insertedPostings.map((row) => ({
            postingId: row.id,
            shape: shapeOf.get(row.external_id) as PostingShape,
          })),
        );
        // A duplicate reopens its job if every earlier source had closed.
        await tx`
          update jobs set status = 'open', updated_at = now()
          where id = any(${[...new Set(newPostings.map((p) => p.job_id))]}) and status = 'closed'`;
      }

      // Postings no longer on the board are closed; a job closes with its last source.
      const closed = await tx<{ job_id: string }[]>`
        update postings set status = 'closed', closed_at = now()
        where provider = ${provider} and board = ${board} and status = 'open'
          and not (external_id = any(${postings.map((p) => p.externalId)}))
        returning job_id`;
      summary.closed = closed.length;
      if (closed.length > 0) {
        await tx`
          update jobs set status = 'closed', updated_at = now()
          where id = any(${[...new Set(closed.map((row) => row.job_id))]})
            and not exists (select 1 from postings p where p.job_id = jobs.id and p.status = 'open')`;
      }

      // Each follower gets every open posting that passes their filters, once;
      // a follower being migrated (or gone) gets nothing from this cell.
      await lockUserStatesShared(tx);
      const inactive = await inactiveUsers(
        tx,
        followers.map((f) => f.userId),
      );
      const links: JobLink[] = [];
      for (const posting of postings) {
        const jobId = jobOfPosting.get(posting.externalId);
        if (!jobId) continue;
        for (const follower of followers) {
          if (inactive.has(follower.userId)) continue;
          if (!passesFilters(follower.filters, posting)) continue;
          links.push({
            userId: follower.userId,
            jobId,
            data: { provider, board, externalId: posting.externalId, title: posting.title },
          });
        }
      }
      const created = await linkJobsToUsers(tx, dedupeLinks(links));
      summary.linked = created.length;

      await tx`
        update boards set etag = ${result.validators.etag},
          last_modified = ${result.validators.lastModified}, last_fetched_at = now(),
          last_status = 200, last_error = null, fetch_count = fetch_count + 1
        where provider = ${provider} and board = ${board}`;
      return created;
    });

    await this.queueFollowUps(toAnalyze, newLinks);
    this.logger.info({ ...summary, skipped: result.skipped }, 'board synced');
    return summary;
  }

  /** Analysis for new or edited jobs; scores for users newly linked to analyzed jobs. */
  async queueFollowUps(toAnalyze: Set<string>, newLinks: JobLink[]): Promise<void> {
    await this.followUp.enqueueAnalysis([...toAnalyze]);
    const byUser = new Map<string, string[]>();
    for (const link of newLinks) {
      if (toAnalyze.has(link.jobId)) continue;
      const list = byUser.get(link.userId) ?? [];
      list.push(link.jobId);
      byUser.set(link.userId, list);
    }
    for (const [userId, jobIds] of byUser) await this.followUp.enqueueMatch({ userId, jobIds });
  }
}

/** Two postings of one board can be one job: keep one link per (user, job). */
function dedupeLinks(links: JobLink[]): JobLink[] {
  const seen = new Set<string>();
  return links.filter((link) => {
    const key = `${link.userId}/${link.jobId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
