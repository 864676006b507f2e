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

/** The applications workflow: one queue per step. */
export const WORKFLOW_STEPS = ['analyze', 'generate', 'verify', 'render', 'submit'] as const;
export type WorkflowStep = (typeof WORKFLOW_STEPS)[number];
export const WORKFLOW_QUEUES: Record<WorkflowStep, string> = {
  analyze: 'workflow-analyze',
  generate: 'workflow-generate',
  verify: 'workflow-verify',
  render: 'workflow-render',
  submit: 'workflow-submit',
};
/** Fails overdue workflows and re-queues stuck steps. */
export const WORKFLOW_SWEEP_QUEUE = 'workflow-sweep';
export const STATUS_WEBHOOK_QUEUE = 'status-webhook';

export interface WorkflowJobData {
  applicationId: string;
  /** The application's revision the job is for; a job of an older revision does nothing. */
  revision: number;
}

/**
 * Per-step job options (DESIGN.md section 4). Render has 2 attempts; submit
 * retries only what `submitOnce` marks retryable (nothing was delivered).
 * PDF-service unavailability and submission leases delay the job instead of
 * spending an attempt.
 */
export const WORKFLOW_JOB_OPTIONS: Record<WorkflowStep, { attempts: number; delay: number }> = {
  analyze: { attempts: 3, delay: 1_000 },
  generate: { attempts: 3, delay: 1_000 },
  verify: { attempts: 3, delay: 1_000 },
  render: { attempts: 2, delay: 1_000 },
  submit: { attempts: 3, delay: 2_000 },
};

/** Deterministic: one job per (application, step, revision), however often it is queued. */
export function workflowJobId(step: WorkflowStep, applicationId: string, revision: number): string {
  return `${step}-${revision}-${applicationId}`;
}

/** Queues the next step of an application. */
export interface WorkflowQueue {
  enqueueStep(step: WorkflowStep, applicationId: string, revision: number): Promise<void>;
  /**
   * Queues a step again for an application stuck at it, even when its job
   * already ended (failed while a dependency was down): job ids dedupe, so a
   * plain enqueue of an ended job would be a silent no-op.
   */
  requeueStep(step: WorkflowStep, applicationId: string, revision: number): Promise<void>;
}

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
  /** Only jobs whose score is stale (`ScoreUserOptions.staleOnly`): a moved user's activation. */
  staleOnly?: boolean;
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

/** How {@link DiscoveryScheduler.ensureBoard} starts a board that has no schedule yet. */
export interface EnsureBoardOptions {
  /**
   * `now` (the default): fetched at once, what a user who follows a board expects.
   * `spread`: first fetched at a random time within one interval, and a board already
   * scheduled is left as it is. For boards whose jobs arrived with a migrated user: a
   * rebalance then does not send every moved user's boards to the job boards at once.
   */
  firstFetch?: 'now' | 'spread';
}

/** Creates and removes the per-board discovery schedules. */
export interface DiscoveryScheduler {
  ensureBoard(provider: Provider, board: string, options?: EnsureBoardOptions): Promise<void>;
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
  /** Attempts of one status-webhook delivery. @defaultValue 6 */
  webhookAttempts?: number;
}

export class CellQueues implements DiscoveryScheduler, FollowUpQueue, WorkflowQueue {
  private readonly queues = new Map<string, Queue>();
  private readonly connection;
  private readonly prefix: string;
  readonly intervalMs: number;
  private readonly webhookAttempts: number;

  constructor(options: CellQueuesOptions) {
    this.webhookAttempts = options.webhookAttempts ?? 6;
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

  async ensureBoard(
    provider: Provider,
    board: string,
    options: EnsureBoardOptions = {},
  ): Promise<void> {
    const queue = this.queue(DISCOVERY_QUEUES[provider]);
    const id = boardSchedulerId(provider, board);
    let startDate: number | undefined;
    if (options.firstFetch === 'spread') {
      if (await queue.getJobScheduler(id)) return;
      // Jitter only: any spread over the interval will do.
      startDate = Date.now() + 1 + Math.floor(Math.random() * this.intervalMs);
    }
    // An `every` schedule without a start date runs its first job at once.
    await queue.upsertJobScheduler(
      id,
      { every: this.intervalMs, ...(startDate ? { startDate } : {}) },
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

  async enqueueStep(step: WorkflowStep, applicationId: string, revision: number): Promise<void> {
    const { attempts, delay } = WORKFLOW_JOB_OPTIONS[step];
    await this.queue(WORKFLOW_QUEUES[step]).add(
      step,
      { applicationId, revision } satisfies WorkflowJobData,
      {
        jobId: workflowJobId(step, applicationId, revision),
        attempts,
        backoff: { type: 'exponential', delay },
        removeOnComplete: { count: 10_000 },
        removeOnFail: { count: 10_000 },
      },
    );
  }

  async requeueStep(step: WorkflowStep, applicationId: string, revision: number): Promise<void> {
    const existing = await this.queue(WORKFLOW_QUEUES[step]).getJob(
      workflowJobId(step, applicationId, revision),
    );
    if (existing) {
      const state = await existing.getState();
      if (state === 'failed') {
        await existing.retry('failed');
        return;
      }
      // Waiting, delayed or running: it will do the work.
      if (state !== 'completed' && state !== 'unknown') return;
      await existing.remove();
    }
    await this.enqueueStep(step, applicationId, revision);
  }

  async enqueueWebhookDeliveries(notificationIds: string[]): Promise<void> {
    if (notificationIds.length === 0) return;
    await this.queue(STATUS_WEBHOOK_QUEUE).addBulk(
      notificationIds.map((id) => ({
        name: 'deliver',
        data: { notificationId: id },
        opts: {
          jobId: `notification-${id}`,
          attempts: this.webhookAttempts,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: { count: 1_000 },
          removeOnFail: { count: 1_000 },
        },
      })),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
  }
}
