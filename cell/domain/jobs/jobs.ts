/**
 * A user's jobs: listing with filters and cursor pagination (newest first, by
 * job id, which is a UUIDv7), one job with its analysis, match and sources,
 * the user's status, and jobs added by hand. Another user's job is "not found".
 */
import type postgres from 'postgres';
import { newId } from '../../../lib/ids.ts';
import type { FollowUpQueue } from '../../infra/queues.ts';
import type { JobAnalysis } from '../analysis/contract.ts';
import { postingContentHash } from '../discovery/fingerprint.ts';
import { NotFoundError } from '../errors.ts';
import { appendEvent } from '../events.ts';
import { linkJobsToUsers } from './user-jobs.ts';

export const USER_JOB_STATUSES = ['new', 'saved', 'dismissed'] as const;
export type UserJobStatus = (typeof USER_JOB_STATUSES)[number];

export interface ListJobsQuery {
  q?: string;
  minScore?: number;
  remote?: boolean;
  location?: string;
  status?: UserJobStatus;
  limit: number;
  /** Exclusive: jobs older than this job id. */
  afterJobId?: string;
}

export interface JobSummary {
  id: string;
  title: string;
  company: string;
  location: string | null;
  remote: boolean | null;
  jobStatus: 'open' | 'closed';
  status: UserJobStatus;
  score: number | null;
  /** The job's keywords the profile has, and those it lacks (empty until scored). */
  matched: string[];
  missing: string[];
  discoveredAt: string;
}

export interface JobDetail extends Omit<JobSummary, 'matched' | 'missing'> {
  description: string;
  url: string | null;
  analysis: (JobAnalysis & { source: string | null; analyzedAt: string | null }) | null;
  match: {
    score: number | null;
    matched: string[];
    missing: string[];
    profileVersion: number | null;
  };
  sources: {
    provider: string;
    board: string | null;
    externalId: string;
    url: string | null;
    status: 'open' | 'closed';
    firstSeenAt: string;
    closedAt: string | null;
  }[];
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class JobsService {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly followUp: FollowUpQueue,
  ) {}

  /** One page, plus whether more follow. */
  async list(
    userId: string,
    query: ListJobsQuery,
  ): Promise<{ jobs: JobSummary[]; hasMore: boolean }> {
    const sql = this.sql;
    const conditions = [sql`uj.user_id = ${userId}`];
    if (query.afterJobId) conditions.push(sql`uj.job_id < ${query.afterJobId}`);
    if (query.status) conditions.push(sql`uj.status = ${query.status}`);
    if (query.minScore !== undefined) conditions.push(sql`uj.score >= ${query.minScore}`);
    if (query.remote !== undefined) {
      conditions.push(
        sql`coalesce(j.remote, j.analysis->>'remote' = 'remote', false) = ${query.remote}`,
      );
    }
    if (query.location) conditions.push(sql`j.location ilike ${`%${escapeLike(query.location)}%`}`);
    if (query.q) {
      const pattern = `%${escapeLike(query.q)}%`;
      conditions.push(sql`(j.title ilike ${pattern} or j.company ilike ${pattern})`);
    }
    const where = conditions.reduce((acc, condition) => sql`${acc} and ${condition}`);
    const rows = await sql<JobSummary[]>`
      select j.id, j.title, j.company, j.location, j.remote, j.status as "jobStatus",
        uj.status, uj.score, uj.matched, uj.missing, uj.discovered_at as "discoveredAt"
      from user_jobs uj join jobs j on j.id = uj.job_id
      where ${where}
      order by uj.job_id desc
      limit ${query.limit + 1}`;
    return { jobs: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
  }

  async get(userId: string, jobId: string): Promise<JobDetail> {
    const [row] = await this.sql<
      (JobSummary & {
        description: string;
        url: string | null;
        analysis: JobAnalysis | null;
        analysisSource: string | null;
        analyzedAt: string | null;
        matched: string[];
        missing: string[];
        profileVersion: number | null;
      })[]
    >`
      select j.id, j.title, j.company, j.location, j.remote, j.status as "jobStatus",
        uj.status, uj.score, uj.discovered_at as "discoveredAt", j.description, j.url,
        j.analysis, j.analysis_source as "analysisSource", j.analyzed_at as "analyzedAt",
        uj.matched, uj.missing, uj.scored_profile_version as "profileVersion"
      from user_jobs uj join jobs j on j.id = uj.job_id
      where uj.user_id = ${userId} and uj.job_id = ${jobId}`;
    if (!row) throw new NotFoundError('No such job');
    const sources = await this.sql<JobDetail['sources']>`
      select provider, board, external_id as "externalId", url, status,
        first_seen_at as "firstSeenAt", closed_at as "closedAt"
      from postings where job_id = ${jobId} order by first_seen_at, id`;
    const { analysis, analysisSource, analyzedAt, matched, missing, profileVersion, ...summary } =
      row;
    return {
      ...summary,
      analysis: analysis ? { ...analysis, source: analysisSource, analyzedAt } : null,
      match: { score: row.score, matched, missing, profileVersion },
      sources,
    };
  }

  async setStatus(userId: string, jobId: string, status: UserJobStatus): Promise<JobDetail> {
    await this.sql.begin(async (tx) => {
      const [before] = await tx<{ status: UserJobStatus }[]>`
        select status from user_jobs where user_id = ${userId} and job_id = ${jobId} for update`;
      if (!before) throw new NotFoundError('No such job');
      if (before.status === status) return;
      await tx`
        update user_jobs set status = ${status}, updated_at = now()
        where user_id = ${userId} and job_id = ${jobId}`;
      await appendEvent(tx, {
        type: 'job.status_changed',
        userId,
        data: { jobId, from: before.status, to: status },
      });
    });
    return this.get(userId, jobId);
  }

  /** A job pasted by hand: private to its user, analyzed like any other. */
  async createManual(
    userId: string,
    input: { title: string; company: string; description: string; url?: string; location?: string },
  ): Promise<JobDetail> {
    const jobId = newId();
    const posting = {
      title: input.title,
      company: input.company,
      location: input.location ?? null,
      remote: input.location ? /\bremote\b/i.test(input.location) : null,
      description: input.description,
      url: input.url ?? null,
    };
    const contentHash = postingContentHash({ externalId: jobId, ...posting });
    await this.sql.begin(async (tx) => {
      await tx`
        insert into jobs (id, fingerprint, owner_user_id, title, company, location, remote,
                          description, url, content_hash)
        values (${jobId}, ${`manual:${jobId}`}, ${userId}, ${posting.title}, ${posting.company},
                ${posting.location}, ${posting.remote}, ${posting.description}, ${posting.url},
                ${contentHash})`;
      await tx`
        insert into postings (id, job_id, provider, board, external_id, title, company, location,
                              remote, description, url, content_hash)
        values (${newId()}, ${jobId}, 'manual', null, ${jobId}, ${posting.title}, ${posting.company},
                ${posting.location}, ${posting.remote}, ${posting.description}, ${posting.url},
                ${contentHash})`;
      await linkJobsToUsers(tx, [
        { userId, jobId, data: { provider: 'manual', title: posting.title } },
      ]);
    });
    await this.followUp.enqueueAnalysis([jobId]);
    return this.get(userId, jobId);
  }
}

/** Opaque cursor: base64url of the last job id of the page. */
export function encodeJobsCursor(jobId: string): string {
  return Buffer.from(JSON.stringify({ j: jobId })).toString('base64url');
}

/** The job id in a cursor, or undefined when it is not one of ours. */
export function decodeJobsCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { j?: unknown };
    const id = value?.j;
    return typeof id === 'string' &&
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)
      ? id
      : undefined;
  } catch {
    return undefined;
  }
}
