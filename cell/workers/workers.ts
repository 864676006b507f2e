/**
 * Starts the cell's BullMQ workers and repeatable jobs. Each queue is one
 * workflow step; processors are thin adapters over domain services and must
 * be idempotent, because BullMQ delivers at least once.
 */
import { Queue, Worker } from 'bullmq';
import type { Counter, Histogram } from 'prom-client';
import { PROVIDERS } from '../adapters/job-boards/types.ts';
import { workerRedisOptions } from '../infra/connections.ts';
import {
  ANALYSIS_QUEUE,
  DISCOVERY_QUEUES,
  MATCH_QUEUE,
  STATUS_WEBHOOK_QUEUE,
  WORKFLOW_QUEUES,
  WORKFLOW_STEPS,
  WORKFLOW_SWEEP_QUEUE,
} from '../infra/queues.ts';
import type { CellServices } from '../services.ts';
import { HEARTBEAT_QUEUE, recordHeartbeat } from './heartbeat.ts';
import { analysisProcessor, discoveryProcessor, matchProcessor } from './job-processors.ts';
import { applicationUser, gateUserJob, notificationUser } from './user-gate.ts';
import {
  statusWebhookProcessor,
  workflowStepProcessor,
  workflowSweepProcessor,
} from './workflow-processors.ts';

export interface CellWorkerOptions {
  redisUrl: string;
  /** BullMQ key prefix. @defaultValue 'bull' */
  prefix?: string;
  /** @defaultValue 5_000 */
  heartbeatIntervalMs?: number;
  /** Concurrent analyses. @defaultValue 2 */
  analysisConcurrency?: number;
}

export interface RunningWorkers {
  queueNames: string[];
  close(): Promise<void>;
}

/**
 * Jobs finished per queue and outcome, and how long each ran: what the workers spend their time
 * on (during a rebalance, for one). Made once per registry: workers may be started again on the
 * same services.
 */
function jobMetrics(services: CellServices) {
  const { metrics } = services;
  const existing = <T>(name: string) => metrics.registry.getSingleMetric(name) as T | undefined;
  return {
    finished:
      existing<Counter<'queue' | 'outcome'>>('cell_worker_jobs_total') ??
      metrics.counter('cell_worker_jobs_total', 'Jobs the cell workers finished', [
        'queue',
        'outcome',
      ]),
    ran:
      existing<Histogram<'queue'>>('cell_worker_job_duration_seconds') ??
      metrics.histogram(
        'cell_worker_job_duration_seconds',
        'How long a finished job ran, from its start to its end',
        ['queue'],
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      ),
  };
}

export async function startCellWorkers(
  services: CellServices,
  options: CellWorkerOptions,
): Promise<RunningWorkers> {
  const connection = workerRedisOptions(options.redisUrl);
  const prefix = options.prefix ?? 'bull';
  const { logger } = services;

  const heartbeatQueue = new Queue(HEARTBEAT_QUEUE, { connection, prefix });
  await heartbeatQueue.upsertJobScheduler(
    'heartbeat',
    { every: options.heartbeatIntervalMs ?? 5_000 },
    { name: 'beat', opts: { removeOnComplete: 10, removeOnFail: 10 } },
  );
  const beat = () => recordHeartbeat(services.redis);
  await beat().catch(() => undefined);

  const { settings, workflowSettings: flow } = services;
  const sweepQueue = new Queue(WORKFLOW_SWEEP_QUEUE, { connection, prefix });
  await sweepQueue.upsertJobScheduler(
    'workflow-sweep',
    { every: flow.WORKFLOW_SWEEP_INTERVAL_MS },
    { name: 'sweep', opts: { removeOnComplete: 10, removeOnFail: 10 } },
  );
  // Jobs of a worker that died (SIGKILL) are picked up again once their lock expires.
  const stepOptions = {
    connection,
    prefix,
    concurrency: flow.WORKFLOW_CONCURRENCY,
    lockDuration: flow.WORKFLOW_LOCK_DURATION_MS,
    stalledInterval: flow.WORKFLOW_STALLED_INTERVAL_MS,
    maxStalledCount: 3,
  };
  const workers = [
    new Worker(HEARTBEAT_QUEUE, beat, { connection, prefix, concurrency: 1 }),
    // One queue per provider: concurrency and rate limits are per provider.
    ...PROVIDERS.map(
      (provider) =>
        new Worker(DISCOVERY_QUEUES[provider], discoveryProcessor(services), {
          connection,
          prefix,
          concurrency: settings.DISCOVERY_CONCURRENCY_PER_PROVIDER,
          limiter: { max: settings.DISCOVERY_RATE_PER_MINUTE, duration: 60_000 },
        }),
    ),
    new Worker(ANALYSIS_QUEUE, analysisProcessor(services), {
      connection,
      prefix,
      concurrency: options.analysisConcurrency ?? 2,
    }),
    new Worker(
      MATCH_QUEUE,
      gateUserJob(services, async (job) => job.data.userId, matchProcessor(services)),
      { connection, prefix, concurrency: 1 },
    ),
    ...WORKFLOW_STEPS.map(
      (step) =>
        new Worker(
          WORKFLOW_QUEUES[step],
          gateUserJob(services, applicationUser(services), workflowStepProcessor(services, step)),
          stepOptions,
        ),
    ),
    new Worker(WORKFLOW_SWEEP_QUEUE, workflowSweepProcessor(services), {
      connection,
      prefix,
      concurrency: 1,
    }),
    new Worker(
      STATUS_WEBHOOK_QUEUE,
      gateUserJob(services, notificationUser(services), statusWebhookProcessor(services)),
      {
        connection,
        prefix,
        concurrency: 4,
      },
    ),
  ];
  const { finished, ran } = jobMetrics(services);
  for (const worker of workers) {
    const queue = worker.name;
    worker.on('completed', (job) => {
      finished.inc({ queue, outcome: 'completed' });
      if (job.processedOn !== undefined && job.finishedOn !== undefined) {
        ran.observe({ queue }, (job.finishedOn - job.processedOn) / 1000);
      }
    });
    worker.on('failed', () => finished.inc({ queue, outcome: 'failed' }));
    worker.on('error', (error) => logger.error({ err: error, queue: worker.name }, 'worker error'));
    worker.on('failed', (job, error) =>
      logger.warn({ err: error, queue: worker.name, jobId: job?.id }, 'job failed'),
    );
  }

  // Schedules follow the followed boards even if the API died between commit and upsert.
  await services.jobSources
    .reconcileSchedules()
    .then((result) => logger.info(result, 'board schedules reconciled'))
    .catch((error: unknown) => logger.error({ err: error }, 'board schedule reconcile failed'));

  // One-off and idempotent: PDFs stored before the text-layer fix are rendered again
  // while their application still awaits approval.
  await services.applications
    .rerenderUnstampedDocuments()
    .then((result) => logger.info(result, 'unstamped PDFs queued for re-render'))
    .catch((error: unknown) => logger.error({ err: error }, 'unstamped PDF re-render failed'));

  let closing: Promise<void> | undefined;
  return {
    queueNames: workers.map((worker) => worker.name),
    close() {
      closing ??= Promise.allSettled([
        ...workers.map((w) => w.close()),
        heartbeatQueue.close(),
        sweepQueue.close(),
      ]).then(() => undefined);
      return closing;
    },
  };
}
