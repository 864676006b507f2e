/**
 * Starts the cell's BullMQ workers and repeatable jobs. Each queue is one
 * workflow step; processors are thin adapters over domain services and must
 * be idempotent, because BullMQ delivers at least once.
 */
import { Queue, Worker } from 'bullmq';
import { workerRedisOptions } from '../infra/connections.ts';
import type { CellServices } from '../services.ts';
import { HEARTBEAT_QUEUE, recordHeartbeat } from './heartbeat.ts';

export interface CellWorkerOptions {
  redisUrl: string;
  /** BullMQ key prefix. @defaultValue 'bull' */
  prefix?: string;
  /** @defaultValue 5_000 */
  heartbeatIntervalMs?: number;
}

export interface RunningWorkers {
  queueNames: string[];
  close(): Promise<void>;
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

  const workers = [new Worker(HEARTBEAT_QUEUE, beat, { connection, prefix, concurrency: 1 })];
  for (const worker of workers) {
    worker.on('error', (error) => logger.error({ err: error, queue: worker.name }, 'worker error'));
    worker.on('failed', (job, error) =>
      logger.warn({ err: error, queue: worker.name, jobId: job?.id }, 'job failed'),
    );
  }

  let closing: Promise<void> | undefined;
  return {
    queueNames: workers.map((worker) => worker.name),
    close() {
      closing ??= Promise.allSettled([
        ...workers.map((w) => w.close()),
        heartbeatQueue.close(),
      ]).then(() => undefined);
      return closing;
    },
  };
}
