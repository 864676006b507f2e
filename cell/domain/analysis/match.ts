/**
 * Match scores per (user, job): 0-100 with matched and missing keywords, from
 * the job's analysis and the user's latest profile version. Recomputed for all
 * of a user's jobs when the profile changes, and for all linked users when a
 * job is (re)analyzed. Each score records what it was computed from (the
 * profile version and the md5 of the analysis), so a rescore can be limited to
 * the stale ones (`staleOnly`: the target of a move, at activation).
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
  /** md5 of the analysis the score was computed from (`scored_analysis_md5`). */
  analysis_md5: string;
}

export interface ScoreUserOptions {
  /** Only these jobs; all the user's analyzed jobs when absent. */
  jobIds?: string[];
  /**
   * Only jobs whose score was not computed from the job's current analysis and the user's
   * latest profile version. What a score depends on is exactly those two, so this finds every
   * score a full rescore would change, at the cost of one query when none is stale.
   */
  staleOnly?: boolean;
}

export class MatchService {
  constructor(private readonly sql: postgres.Sql) {}

  /** Rescores one user's jobs (see {@link ScoreUserOptions}); returns how many were scored. */
  async scoreUser(userId: string, options: ScoreUserOptions = {}): Promise<number> {
    const [profile] = await this.sql<{ version: number; document: string }[]>`
      select version, document from profile_versions where user_id = ${userId}
      order by version desc limit 1`;
    const { jobIds, staleOnly = false } = options;
    const jobs = await this.sql<{ job_id: string; analysis: JobAnalysis; analysis_md5: string }[]>`
      select uj.job_id, j.analysis, md5(j.analysis::text) as analysis_md5
      from user_jobs uj join jobs j on j.id = uj.job_id
      where uj.user_id = ${userId} and j.analysis is not null
        ${jobIds ? this.sql`and uj.job_id = any(${jobIds})` : this.sql``}
        ${
          staleOnly
            ? this.sql`and (uj.scored_analysis_md5 is distinct from md5(j.analysis::text)
                or uj.scored_profile_version is distinct from ${profile?.version ?? null}::int)`
            : this.sql``
        }`;
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
          analysis_md5: job.analysis_md5,
        };
      }
      const result = score(job.analysis);
      return {
        user_id: userId,
        job_id: job.job_id,
        ...result,
        version: profile?.version ?? null,
        analysis_md5: job.analysis_md5,
      };
    });
    await this.writeScores(rows);
    return rows.length;
  }

  /**
   * Scores one analyzed job for every user linked to it, from the analysis as stored (read with
   * its md5 in the same statement, so a score never names an analysis it was not computed from).
   */
  async scoreJob(jobId: string): Promise<number> {
    const profiles = await this.sql<
      {
        user_id: string;
        version: number | null;
        document: string | null;
        analysis: JobAnalysis;
        analysis_md5: string;
      }[]
    >`
      select uj.user_id, p.version, p.document, j.analysis, md5(j.analysis::text) as analysis_md5
      from jobs j
      join user_jobs uj on uj.job_id = j.id
      left join lateral (
        select version, document from profile_versions pv
        where pv.user_id = uj.user_id order by version desc limit 1
      ) p on true
      where j.id = ${jobId} and j.analysis is not null
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
            analysis_md5: row.analysis_md5,
          }
        : {
            user_id: row.user_id,
            job_id: jobId,
            ...scoreMatch(parseProfile(row.document), row.analysis),
            version: row.version,
            analysis_md5: row.analysis_md5,
          },
    );
    await this.writeScores(rows);
    return rows.length;
  }

  private async writeScores(rows: ScoreRow[]): Promise<void> {
    const CHUNK = 2_000;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      // Users being migrated keep their scores; the target cell rescores the stale ones on
      // activation. Only changed scores are written: a rescore that finds the same result
      // leaves the row, and its updated_at, as it was.
      await this.sql.begin(async (tx) => {
        await lockUserStatesShared(tx);
        await tx`
          update user_jobs as u set score = x.score, matched = x.matched, missing = x.missing,
            scored_profile_version = x.version, scored_analysis_md5 = x.analysis_md5,
            updated_at = now()
          from jsonb_to_recordset(${jsonRows(tx, chunk)})
            as x(user_id uuid, job_id uuid, score int, matched jsonb, missing jsonb, version int,
                 analysis_md5 text)
          where u.user_id = x.user_id and u.job_id = x.job_id
            and not exists (select 1 from user_states s where s.user_id = u.user_id)
            and (u.score, u.matched, u.missing, u.scored_profile_version, u.scored_analysis_md5)
              is distinct from (x.score, x.matched, x.missing, x.version, x.analysis_md5)`;
      });
    }
  }
}
