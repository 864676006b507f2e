/**
 * Runs a per-user job only while its user is active in this cell: a frozen or
 * incoming user's job is delayed (without spending an attempt) until the user
 * is active again or has moved; a moved or deleted user's job is dropped (the
 * target cell re-queues what is left on activation). The job counts as the
 * user's running work, marked before the state is read, so a freeze waits
 * for it to end.
 */
import { DelayedError, type Job } from 'bullmq';
import type { CellServices } from '../services.ts';

/** How long a delayed job of a frozen user waits before it looks again. */
const FROZEN_RETRY_MS = 1_000;
/** How long a job counts as running if its worker dies mid-way. */
const JOB_ACTIVITY_TTL_MS = 5 * 60_000;

export function gateUserJob<D, R>(
  services: CellServices,
  userOf: (job: Job<D>) => Promise<string | undefined>,
  processor: (job: Job<D>, token?: string) => Promise<R>,
): (job: Job<D>, token?: string) => Promise<R | { skipped: string }> {
  return async (job, token) => {
    const userId = await userOf(job);
    if (!userId) return processor(job, token);
    const end = await services.userActivity
      .begin(userId, `job:${job.queueName}:${job.id}`, JOB_ACTIVITY_TTL_MS)
      .catch((error: unknown) => {
        services.logger.warn({ err: error, jobId: job.id }, 'user activity not recorded');
        return undefined;
      });
    try {
      const { state } = await services.lifecycle.state(userId);
      if (state === 'moved' || state === 'deleted') return { skipped: state };
      if (state !== 'active') {
        await job.moveToDelayed(Date.now() + FROZEN_RETRY_MS, token);
        throw new DelayedError();
      }
      return await processor(job, token);
    } finally {
      await end?.().catch(() => undefined);
    }
  };
}

/** The user of an application (workflow steps). */
export function applicationUser(services: CellServices) {
  return async (job: Job<{ applicationId: string }>) => {
    const [row] = await services.sql<{ user_id: string }[]>`
      select user_id from applications where id = ${job.data.applicationId}`;
    return row?.user_id;
  };
}

/** The user of a notification (status webhooks). */
export function notificationUser(services: CellServices) {
  return async (job: Job<{ notificationId: string }>) => {
    const [row] = await services.sql<{ user_id: string }[]>`
      select user_id from notifications where id = ${job.data.notificationId}`;
    return row?.user_id;
  };
}
