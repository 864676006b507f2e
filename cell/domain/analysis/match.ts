/**
 * Match scores per (user, job): 0-100 with matched and missing keywords, from
 * the job's analysis and the user's latest profile version. Recomputed for all
 * of a user's jobs when the profile changes, and for all linked users when a
 * job is (re)analyzed.
 */
import type postgres from 'postgres';
import type { JsonResume } from '../../../lib/ai/contract.ts';
import { matchScorer, scoreMatch } from '../../../lib/ai/embedded/index.ts';
import { jsonRows } from '../../infra/json-rows.ts';
import { lockUserStatesShared } from '../user-lifecycle/user-states.ts';
import type { JobAnalysis } from './contract.ts';

/** A stored profile version's document, as the scorer reads it. */
function parseProfile(document: string): JsonResume {
  return JSON.parse(document) as JsonResume;
}

interface ScoreRow {
  user_id: string;
  job_id: string;
  score: number | null;
  matched: string[];
  missing: string[];
  version: number | null;
}

export class MatchService {
  constructor(private readonly sql: postgres.Sql) {}

  /** Rescores one user's jobs (all, or `jobIds`); returns how many were scored. */
  async scoreUser(userId: string, jobIds?: string[]): Promise<number> {
    const [profile] = await this.sql<{ version: number; document: string }[]>`
      select version, document from profile_versions where user_id = ${userId}
      order by version desc limit 1`;
    const jobs = await this.sql<{ job_id: string; analysis: JobAnalysis }[]>`
      select uj.job_id, j.analysis from user_jobs uj join jobs j on j.id = uj.job_id
      where uj.user_id = ${userId} and j.analysis is not null
        ${jobIds ? this.sql`and uj.job_id = any(${jobIds})` : this.sql``}`;
    const score = profile ? matchScorer(parseProfile(profile.document)) : null;
    const rows: ScoreRow[] = jobs.map((job) => {
      if (score === null) {
        return {
          user_id: userId,
          job_id: job.job_id,
          score: null,
          matched: [],
          missing: [],
          version: null,
        };
      }
      const result = score(job.analysis);
      return { user_id: userId, job_id: job.job_id, ...result, version: profile?.version ?? null };
    });
    await this.writeScores(rows);
    return rows.length;
  }

  /** Scores one analyzed job for every user linked to it. */
  async scoreJob(jobId: string, analysis: JobAnalysis): Promise<number> {
    const profiles = await this.sql<
      { user_id: string; version: number | null; document: string | null }[]
    >`
      select uj.user_id, p.version, p.document
      from user_jobs uj
      left join lateral (
        select version, document from profile_versions pv
        where pv.user_id = uj.user_id order by version desc limit 1
      ) p on true
      where uj.job_id = ${jobId}
        and not exists (select 1 from user_states s where s.user_id = uj.user_id)`;
    const rows: ScoreRow[] = profiles.map((row) =>
      row.document === null
        ? {
            user_id: row.user_id,
            job_id: jobId,
            score: null,
            matched: [],
            missing: [],
            version: null,
          }
        : {
            user_id: row.user_id,
            job_id: jobId,
            ...scoreMatch(parseProfile(row.document), analysis),
            version: row.version,
          },
    );
    await this.writeScores(rows);
    return rows.length;
  }

  private async writeScores(rows: ScoreRow[]): Promise<void> {
    const CHUNK = 2_000;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      // Users being migrated keep their scores; the target cell rescores them on activation.
      // Only changed scores are written: a rescore that finds the same result (activation
      // after a move) leaves the row, and its updated_at, as it was.
      await this.sql.begin(async (tx) => {
        await lockUserStatesShared(tx);
        await tx`
          update user_jobs as u set score = x.score, matched = x.matched, missing = x.missing,
            scored_profile_version = x.version, updated_at = now()
          from jsonb_to_recordset(${jsonRows(tx, chunk)})
            as x(user_id uuid, job_id uuid, score int, matched jsonb, missing jsonb, version int)
          where u.user_id = x.user_id and u.job_id = x.job_id
            and not exists (select 1 from user_states s where s.user_id = u.user_id)
            and (u.score, u.matched, u.missing, u.scored_profile_version)
              is distinct from (x.score, x.matched, x.missing, x.version)`;
      });
    }
  }
}
