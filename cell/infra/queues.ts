/**
 * The cell's BullMQ producers for discovery, analysis and matching, shared by
 * the API (which creates per-board schedules when a board gets its first
 * follower) and the workers. Queue names, job options and scheduler ids live
 * here so producer and consumer agree.
 */
import { Queue } from 'bullmq';
import type { Provider } from '../adapters/job-boards/types.ts';
import { producerRedisOptions } from './connections.ts';

export const DISCOVERY_QUEUES: Record<Provider, string> = {
  greenhouse: 'discovery-greenhouse',
  lever: 'discovery-lever',
  ashby: 'discovery-ashby',
};
export const ANALYSIS_QUEUE = 'job-analysis';
export const MATCH_QUEUE = 'job-match';

export interface DiscoveryJobData {
  provider: Provider;
  board: string;
}
export interface AnalysisJobData {
  jobId: string;
}
export interface MatchJobData {
  userId: string;
  /** Only these jobs; all the user's jobs when absent. */
  jobIds?: string[];
}

/** One scheduler per (provider, board), so a board is fetched once per cell per interval. */
export function boardSchedulerId(provider: Provider, board: string): string {
  return `board-${provider}-${board}`;
}

export const DISCOVERY_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: 100,
  removeOnFail: 200,
} as const;

/** Creates and removes the per-board discovery schedules. */
export interface DiscoveryScheduler {
  ensureBoard(provider: Provider, board: string): Promise<void>;
  removeBoard(provider: Provider, board: string): Promise<void>;
  /** The ids of every board schedule that exists, per provider. */
  listBoards(): Promise<DiscoveryJobData[]>;
}

/** Queues follow-up work: analysis of new postings and match recomputation. */
export interface FollowUpQueue {
  enqueueAnalysis(jobIds: string[]): Promise<void>;
  enqueueMatch(data: MatchJobData, dedupeKey?: string): Promise<void>;
}

export interface CellQueuesOptions {
  redisUrl: string;
  /** @defaultValue 'bull' */
  prefix?: string;
  /** @defaultValue 30 minutes */
  discoveryIntervalMs?: number;
}

export class CellQueues implements DiscoveryScheduler, FollowUpQueue {
  private readonly queues = new Map<string, Queue>();
  private readonly connection;
  private readonly prefix: string;
  readonly intervalMs: number;

  constructor(options: CellQueuesOptions) {
    this.connection = producerRedisOptions(options.redisUrl);
    this.prefix = options.prefix ?? 'bull';
    this.intervalMs = options.discoveryIntervalMs ?? 30 * 60_000;
  }

  /** Queues are opened lazily so a process that never produces opens no connection. */
  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async ensureBoard(provider: Provider, board: string): Promise<void> {
    await this.queue(DISCOVERY_QUEUES[provider]).upsertJobScheduler(
      boardSchedulerId(provider, board),
      { every: this.intervalMs },
      { name: 'fetch-board', data: { provider, board }, opts: DISCOVERY_JOB_OPTIONS },
    );
  }

  async removeBoard(provider: Provider, board: string): Promise<void> {
    await this.queue(DISCOVERY_QUEUES[provider]).removeJobScheduler(
      boardSchedulerId(provider, board),
    );
  }

  async listBoards(): Promise<DiscoveryJobData[]> {
    const boards: DiscoveryJobData[] = [];
    for (const provider of Object.keys(DISCOVERY_QUEUES) as Provider[]) {
      const schedulers = await this.queue(DISCOVERY_QUEUES[provider]).getJobSchedulers(0, -1);
      for (const scheduler of schedulers) {
        const data = scheduler.template?.data as DiscoveryJobData | undefined;
        if (data?.board) boards.push({ provider, board: data.board });
      }
    }
    return boards;
  }

  async enqueueAnalysis(jobIds: string[]): Promise<void> {
    if (jobIds.length === 0) return;
    await this.queue(ANALYSIS_QUEUE).addBulk(
      jobIds.map((jobId) => ({
        name: 'analyze',
        data: { jobId } satisfies AnalysisJobData,
        opts: {
          attempts: 3,
          backoff: { type: 'exponential', delay: 2_000 },
          removeOnComplete: 1_000,
          removeOnFail: 1_000,
        },
      })),
    );
  }

  async enqueueMatch(data: MatchJobData, dedupeKey?: string): Promise<void> {
    await this.queue(MATCH_QUEUE).add('match', data, {
      attempts: 3,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: 1_000,
      removeOnFail: 1_000,
      ...(dedupeKey ? { deduplication: { id: dedupeKey } } : {}),
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
  }
}
