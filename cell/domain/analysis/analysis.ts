/**
 * Job analysis: each job is analyzed once per content version (cell-wide),
 * through the `JobAnalyzer` (AI optimizer, embedded fallback). Storing the
 * analysis and each linked user's `job.analyzed` event share one transaction;
 * the linked users' match scores follow.
 */
import type postgres from 'postgres';
import { appendEvents } from '../events.ts';
import { lockUserStatesShared } from '../user-lifecycle/user-states.ts';
import type { AnalysisSource, JobAnalysis, JobAnalyzer } from './contract.ts';
import type { MatchService } from './match.ts';

export interface AnalyzeOutcome {
  status: 'analyzed' | 'up_to_date' | 'missing';
  source?: AnalysisSource;
  analysis?: JobAnalysis;
}

export class AnalysisService {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly analyzer: JobAnalyzer,
    private readonly match: MatchService,
  ) {}

  async analyzeJob(jobId: string): Promise<AnalyzeOutcome> {
    const [job] = await this.sql<
      {
        title: string;
        company: string;
        description: string;
        location: string | null;
        content_hash: string;
        analysis_hash: string | null;
        owner_user_id: string | null;
      }[]
    >`
      select title, company, description, location, content_hash, analysis_hash, owner_user_id
      from jobs where id = ${jobId}`;
    if (!job) return { status: 'missing' };
    if (job.analysis_hash === job.content_hash) return { status: 'up_to_date' };

    const { analysis, source } = await this.analyzer.analyze(
      {
        title: job.title,
        company: job.company,
        description: job.description,
        location: job.location,
      },
      { userId: job.owner_user_id },
    );
    const stored = await this.sql.begin(async (tx) => {
      // Only store it if the job was not edited while we analyzed; the edit queued its own analysis.
      const updated = await tx`
        update jobs set analysis = ${tx.json(analysis as unknown as postgres.JSONValue)},
          analysis_source = ${source}, analysis_hash = content_hash, analyzed_at = now()
        where id = ${jobId} and content_hash = ${job.content_hash}
        returning id`;
      if (updated.length === 0) return false;
      await lockUserStatesShared(tx);
      const users = await tx<{ user_id: string }[]>`
        select user_id from user_jobs uj where job_id = ${jobId}
          and not exists (select 1 from user_states s where s.user_id = uj.user_id)`;
      await appendEvents(
        tx,
        users.map((row) => ({
          type: 'job.analyzed' as const,
          userId: row.user_id,
          data: { jobId, source, seniority: analysis.seniority, keywords: analysis.keywords },
        })),
      );
      return true;
    });
    if (!stored) return { status: 'up_to_date' };
    await this.match.scoreJob(jobId);
    return { status: 'analyzed', source, analysis };
  }
}
