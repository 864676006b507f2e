/**
 * Job sources: a user following a board. The first follower of a board
 * creates its one discovery schedule; the last to leave removes it. Following
 * a board the cell already reads links its open postings at once.
 */
import type postgres from 'postgres';
import { newId } from '../../../lib/ids.ts';
import type { Provider } from '../../adapters/job-boards/types.ts';
import type { DiscoveryScheduler, FollowUpQueue } from '../../infra/queues.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { appendEvent } from '../events.ts';
import { type JobLink, linkJobsToUsers } from '../jobs/user-jobs.ts';
import { lockBoard } from './discovery.ts';
import { passesFilters, type SourceFilters } from './source-filters.ts';

/**
 * A source counts as followed here while its user is active or frozen (a
 * freeze may roll back); not once the user moved, was deleted, or is still
 * incoming (activation schedules its boards). Over `job_sources j`.
 */
function followingHere(sql: postgres.Sql) {
  return sql`not exists (select 1 from user_states s where s.user_id = j.user_id
                                                    and s.state <> 'frozen')`;
}

export interface JobSource {
  id: string;
  provider: Provider;
  board: string;
  filters: SourceFilters;
  createdAt: string;
}

/** What the cell's last fetch of a board found: shared by everyone following it. */
export interface BoardFetch {
  at: string;
  /** HTTP status of the board's answer (304: unchanged); null when it never answered. */
  status: number | null;
  error: string | null;
  count: number;
}

export interface FollowedSource extends JobSource {
  /** Null until the board is fetched for the first time. */
  lastFetch: BoardFetch | null;
  /** The board's open postings as this cell last saw them (before the follower's filters). */
  openPostings: number;
}

export class JobSourcesService {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly scheduler: DiscoveryScheduler,
    private readonly followUp: FollowUpQueue,
  ) {}

  async follow(
    userId: string,
    input: { provider: Provider; board: string; filters: SourceFilters },
  ): Promise<{ source: JobSource; linked: number }> {
    const id = newId();
    const { source, links } = await this.sql.begin(async (tx) => {
      // A sync of this board in flight either saw this follower or stored its postings first.
      await lockBoard(tx, input.provider, input.board);
      const [row] = await tx<JobSource[]>`
        insert into job_sources (id, user_id, provider, board, filters)
        values (${id}, ${userId}, ${input.provider}, ${input.board},
                ${tx.json(input.filters as postgres.JSONValue)})
        on conflict (user_id, provider, board) do nothing
        returning id, provider, board, filters, created_at as "createdAt"`;
      if (!row) {
        throw new ConflictError(`Already following ${input.provider} board ${input.board}`);
      }
      await tx`insert into boards (provider, board) values (${input.provider}, ${input.board})
               on conflict do nothing`;
      await appendEvent(tx, {
        type: 'job_source.added',
        userId,
        data: { sourceId: id, provider: input.provider, board: input.board },
      });
      return { source: row, links: await linkOpenPostings(tx, userId, input) };
    });
    await this.scheduler.ensureBoard(input.provider, input.board);
    if (links.length > 0) {
      await this.followUp.enqueueMatch({ userId, jobIds: links.map((link) => link.jobId) });
    }
    return { source, linked: links.length };
  }

  /**
   * Links the open postings this cell already has on every board the user
   * follows, as a follow does. A sync links only active followers, so a user
   * who arrives by a move (`activate`) or is let go after a freeze
   * (`unfreeze`) catches up on what the cell found meanwhile. Idempotent;
   * returns how many links it made.
   */
  async catchUp(userId: string): Promise<number> {
    const sources = await this.sql<
      { provider: Provider; board: string; filters: SourceFilters }[]
    >`select provider, board, filters from job_sources where user_id = ${userId}
      order by provider, board`;
    const jobIds: string[] = [];
    for (const source of sources) {
      const links = await this.sql.begin(async (tx) => {
        await lockBoard(tx, source.provider, source.board);
        return linkOpenPostings(tx, userId, source);
      });
      jobIds.push(...links.map((link) => link.jobId));
    }
    if (jobIds.length > 0) await this.followUp.enqueueMatch({ userId, jobIds });
    return jobIds.length;
  }

  async list(userId: string): Promise<FollowedSource[]> {
    const rows = await this.sql<
      (JobSource & {
        fetchedAt: string | null;
        fetchStatus: number | null;
        fetchError: string | null;
        fetchCount: number | null;
        openPostings: number;
      })[]
    >`
      select j.id, j.provider, j.board, j.filters, j.created_at as "createdAt",
        b.last_fetched_at as "fetchedAt", b.last_status as "fetchStatus",
        b.last_error as "fetchError", b.fetch_count as "fetchCount",
        (select count(*)::int from postings p
          where p.provider = j.provider and p.board = j.board and p.status = 'open')
          as "openPostings"
      from job_sources j
      left join boards b on b.provider = j.provider and b.board = j.board
      where j.user_id = ${userId} order by j.id`;
    return rows.map(({ fetchedAt, fetchStatus, fetchError, fetchCount, ...source }) => ({
      ...source,
      lastFetch: fetchedAt
        ? { at: fetchedAt, status: fetchStatus, error: fetchError, count: fetchCount ?? 0 }
        : null,
    }));
  }

  /** Stops following; another user's source id is "not found". */
  async unfollow(userId: string, sourceId: string): Promise<void> {
    const removed = await this.sql.begin(async (tx) => {
      const [row] = await tx<{ provider: Provider; board: string }[]>`
        delete from job_sources where id = ${sourceId} and user_id = ${userId}
        returning provider, board`;
      if (!row) throw new NotFoundError('No such job source');
      await appendEvent(tx, {
        type: 'job_source.removed',
        userId,
        data: { sourceId, provider: row.provider, board: row.board },
      });
      return row;
    });
    await this.releaseBoardIfUnfollowed(removed.provider, removed.board);
  }

  /** Removes a board's schedule when nobody follows it any more. */
  async releaseBoardIfUnfollowed(provider: Provider, board: string): Promise<boolean> {
    const [row] = await this.sql<{ n: number }[]>`
      select count(*)::int as n from job_sources j
      where provider = ${provider} and board = ${board} and ${followingHere(this.sql)}`;
    if ((row?.n ?? 0) > 0) return false;
    await this.scheduler.removeBoard(provider, board);
    return true;
  }

  /** Makes the schedules match the followed boards (at worker start, after crashes). */
  async reconcileSchedules(): Promise<{ ensured: number; removed: number }> {
    const followed = await this.sql<{ provider: Provider; board: string }[]>`
      select distinct provider, board from job_sources j where ${followingHere(this.sql)}`;
    const wanted = new Set(followed.map((b) => `${b.provider}/${b.board}`));
    const scheduled = await this.scheduler.listBoards();
    const have = new Set(scheduled.map((b) => `${b.provider}/${b.board}`));
    let ensured = 0;
    for (const board of followed) {
      if (have.has(`${board.provider}/${board.board}`)) continue;
      await this.scheduler.ensureBoard(board.provider, board.board);
      ensured++;
    }
    let removed = 0;
    for (const board of scheduled) {
      if (!wanted.has(`${board.provider}/${board.board}`)) {
        await this.scheduler.removeBoard(board.provider, board.board);
        removed++;
      }
    }
    return { ensured, removed };
  }
}

/** Links the board's open postings that pass the source's filters to the user, once each. */
async function linkOpenPostings(
  tx: postgres.TransactionSql,
  userId: string,
  source: { provider: Provider; board: string; filters: SourceFilters },
): Promise<JobLink[]> {
  const open = await tx<
    {
      job_id: string;
      external_id: string;
      title: string;
      description: string;
      location: string | null;
      remote: boolean | null;
    }[]
  >`
    select job_id, external_id, title, description, location, remote from postings
    where provider = ${source.provider} and board = ${source.board} and status = 'open'`;
  const candidates: JobLink[] = open
    .filter((posting) => passesFilters(source.filters, posting))
    .map((posting) => ({
      userId,
      jobId: posting.job_id,
      data: {
        provider: source.provider,
        board: source.board,
        externalId: posting.external_id,
        title: posting.title,
      },
    }));
  const unique = [...new Map(candidates.map((link) => [link.jobId, link])).values()];
  return linkJobsToUsers(tx, unique);
}
