/**
 * BullMQ processors for discovery, analysis and matching: thin adapters over
 * the domain services, idempotent because BullMQ delivers at least once.
 * A board that does not exist fails without retries; anything else retries
 * with exponential backoff (3 attempts).
 */
import { type Job, UnrecoverableError } from 'bullmq';
import { BoardNotFoundError } from '../adapters/job-boards/types.ts';
import type { AnalysisJobData, DiscoveryJobData, MatchJobData } from '../infra/queues.ts';
import type { CellServices } from '../services.ts';

export function discoveryProcessor(services: CellServices) {
  return async (job: Job<DiscoveryJobData>) => {
    const { provider, board } = job.data;
    try {
      const summary = await services.discovery.syncBoard(provider, board);
      if (summary.status === 'no_followers') {
        await services.jobSources.releaseBoardIfUnfollowed(provider, board);
      }
      return summary;
    } catch (error) {
      if (error instanceof BoardNotFoundError) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}

export function analysisProcessor(services: CellServices) {
  return async (job: Job<AnalysisJobData>) => {
    const outcome = await services.analysis.analyzeJob(job.data.jobId);
    return { status: outcome.status, source: outcome.source ?? null };
  };
}

export function matchProcessor(services: CellServices) {
  return async (job: Job<MatchJobData>) => ({
    scored: await services.match.scoreUser(job.data.userId, {
      ...(job.data.jobIds ? { jobIds: job.data.jobIds } : {}),
      staleOnly: job.data.staleOnly === true,
    }),
  });
}
