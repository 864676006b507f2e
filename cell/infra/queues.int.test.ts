import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.ts';
import { createTestCell, type TestCell } from '../../test/harness/cell.ts';
import { workerRedisOptions } from './connections.ts';
import { WORKFLOW_QUEUES, workflowJobId } from './queues.ts';

describe('re-queuing a stuck workflow step', () => {
  let cell: TestCell;
  beforeAll(async () => {
    cell = await createTestCell();
  });
  afterAll(() => cell.close());

  it('runs a step again whose job already failed, although its job id is taken', async () => {
    const applicationId = newId();
    const queues = cell.services.queues;
    await queues.enqueueStep('render', applicationId, 0);
    const worker = new Worker(
      WORKFLOW_QUEUES.render,
      async () => {
        throw new UnrecoverableError('postgres went away');
      },
      { connection: workerRedisOptions(cell.redisUrl), prefix: cell.queuePrefix },
    );
    const queue = queues.queue(WORKFLOW_QUEUES.render);
    const id = workflowJobId('render', applicationId, 0);
    try {
      await expect
        .poll(async () => (await queue.getJob(id))?.getState(), { timeout: 10_000 })
        .toBe('failed');
    } finally {
      await worker.close();
    }

    // A plain enqueue is deduplicated by the id and leaves the step failed…
    await queues.enqueueStep('render', applicationId, 0);
    expect(await (await queue.getJob(id))?.getState()).toBe('failed');
    // …a re-queue brings it back to run.
    await queues.requeueStep('render', applicationId, 0);
    expect(await (await queue.getJob(id))?.getState()).toBe('waiting');
  });
});
