/**
 * BullMQ processors of the applications workflow: thin adapters over
 * `WorkflowService`. A step that must wait (PDF service full or down, a live
 * submission lease) is moved to delayed without spending an attempt; a step
 * that cannot succeed, or whose last attempt failed, fails the workflow
 * visibly. The next step is queued before the job completes, under a
 * deterministic job id, so a redelivered job never duplicates work.
 */
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { StepDeferredError, StepFailedError } from '../domain/applications/workflow.ts';
import { isDependencyUnavailable } from '../infra/dependency-errors.ts';
import type { WorkflowJobData, WorkflowStep } from '../infra/queues.ts';
import type { CellServices } from '../services.ts';

/** How long a step waits before trying again while a dependency is down. */
const DEPENDENCY_RETRY_MS = 1_000;

export function workflowStepProcessor(services: CellServices, step: WorkflowStep) {
  return async (job: Job<WorkflowJobData>, token?: string) => {
    const { applicationId, revision } = job.data;
    const { workflow, queues, notifications } = services;
    try {
      const next = await workflow.runStep(step, applicationId, revision);
      if (next) await queues.enqueueStep(next.step, applicationId, next.revision);
      if (!next || step === 'render' || step === 'submit') {
        // A status the user hears about may have changed: deliver to their webhook.
        await notifications.dispatchForApplication(applicationId);
      }
      return { next: next?.step ?? null };
    } catch (error) {
      if (error instanceof StepDeferredError) {
        await job.moveToDelayed(Date.now() + error.delayMs, token);
        throw new DelayedError();
      }
      if (isDependencyUnavailable(error)) {
        // The cell's Postgres or Redis is down: wait for it without spending an
        // attempt; the workflow deadline still bounds the wait.
        await job.moveToDelayed(Date.now() + DEPENDENCY_RETRY_MS, token);
        throw new DelayedError();
      }
      const attempts = job.opts.attempts ?? 1;
      if (error instanceof StepFailedError || job.attemptsMade + 1 >= attempts) {
        await workflow.failStep(step, applicationId, revision, error);
        await notifications.dispatchForApplication(applicationId);
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      }
      await workflow.recordStepError(step, applicationId, error);
      throw error;
    }
  };
}

export function workflowSweepProcessor(services: CellServices) {
  return async () => {
    const settings = services.workflowSettings;
    const result = await services.workflow.sweep(settings.WORKFLOW_STUCK_AFTER_MS);
    const webhooks = await services.notifications.dispatchStale(settings.WORKFLOW_STUCK_AFTER_MS);
    return { ...result, webhooks };
  };
}

export function statusWebhookProcessor(services: CellServices) {
  return async (job: Job<{ notificationId: string }>) => ({
    outcome: await services.notifications.deliver(job.data.notificationId),
  });
}
