/**
 * Discovery as the worker process runs it: one BullMQ job scheduler per board,
 * so twenty users following one board cause one fetch per interval, not
 * twenty; the schedule goes away with the last follower.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYSIS_QUEUE, boardSchedulerId, DISCOVERY_QUEUES } from '../../cell/infra/queues.ts';
import { startCellWorkers } from '../../cell/workers/workers.ts';
import {
  type FakeJobBoards,
  jobBoardSettings,
  startFakeJobBoards,
} from '../fakes/job-boards/fake-job-boards.ts';
import { fakePostings } from '../fakes/job-boards/postings.ts';
import { createTestCell, type TestCell } from '../harness/cell.ts';
import { jsonOf } from '../harness/http.ts';

const INTERVAL_MS = 1_500;

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('scheduled discovery in the worker', () => {
  let boards: FakeJobBoards;
  let cell: TestCell;
  beforeAll(async () => {
    boards = await startFakeJobBoards();
    cell = await createTestCell({
      config: {
        ...jobBoardSettings(boards),
        DISCOVERY_INTERVAL_MS: INTERVAL_MS,
      },
    });
  });
  afterAll(async () => {
    await cell.close();
    await boards.close();
  });

  it('fetches a board followed by twenty users once per interval, analyzes and scores its jobs', async () => {
    const board = 'shared-board';
    boards.setBoard('greenhouse', board, fakePostings(20));
    const users: string[] = [];
    for (let i = 0; i < 20; i++) users.push(await cell.createUser(`User ${i}`));
    for (const userId of users) {
      const res = await cell.app.request('/v1/profile', {
        method: 'PUT',
        headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
        body: JSON.stringify({
          basics: { name: `User ${users.indexOf(userId)}` },
          skills: [{ name: 'Backend', keywords: ['TypeScript', 'Go'] }],
        }),
      });
      expect(res.status).toBe(200);
    }
    const sourceIds: string[] = [];
    // The board's schedule starts with its first follower.
    const started = Date.now();
    for (const userId of users) {
      const res = await cell.app.request('/v1/job-sources', {
        method: 'POST',
        headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
        body: JSON.stringify({ provider: 'greenhouse', board }),
      });
      expect(res.status).toBe(201);
      sourceIds.push((await jsonOf(res)).source.id);
    }
    const queue = cell.services.queues.queue(DISCOVERY_QUEUES.greenhouse);
    expect(await queue.getJobSchedulersCount()).toBe(1);

    const workers = await startCellWorkers(cell.services, {
      redisUrl: cell.redisUrl,
      prefix: cell.queuePrefix,
      heartbeatIntervalMs: 60_000,
    });
    try {
      await waitFor(async () => {
        const [row] = await cell.db
          .sql`select count(*)::int as n from user_jobs where score is not null`;
        return row?.n === 20 * 20;
      });
      // Let a few more intervals pass, then count what the board saw.
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 2));
      const elapsed = Date.now() - started;
      const fetches = boards.requestCount('greenhouse', board);
      expect(fetches).toBeGreaterThanOrEqual(1);
      expect(fetches).toBeLessThanOrEqual(Math.floor(elapsed / INTERVAL_MS) + 1);

      const [jobs] = await cell.db
        .sql`select count(*)::int as n, count(analysis)::int as analyzed from jobs`;
      expect(jobs).toEqual({ n: 20, analyzed: 20 });
      const [discovered] = await cell.db.sql`
        select count(*)::int as n from events where type = 'job.discovered'`;
      expect(discovered?.n).toBe(400);
      const [analyzed] = await cell.db.sql`
        select count(*)::int as n from events where type = 'job.analyzed'`;
      expect(analyzed?.n).toBe(400);
      // The workers' metrics count what they ran, per queue.
      const finished = async (queue: string) =>
        (
          await cell.services.metrics.registry.getSingleMetric('cell_worker_jobs_total')?.get()
        )?.values.find((v) => v.labels.queue === queue && v.labels.outcome === 'completed')
          ?.value ?? 0;
      expect(await finished(ANALYSIS_QUEUE)).toBe(20);
      expect(await finished(DISCOVERY_QUEUES.greenhouse)).toBeGreaterThanOrEqual(1);
      const text = await cell.services.metrics.registry.metrics();
      expect(text).toMatch(
        new RegExp(
          `cell_worker_job_duration_seconds_count\\{[^}]*queue="${ANALYSIS_QUEUE}"[^}]*\\} 20`,
        ),
      );

      // The last follower leaving removes the schedule.
      for (const [i, userId] of users.entries()) {
        const res = await cell.app.request(`/v1/job-sources/${sourceIds[i]}`, {
          method: 'DELETE',
          headers: cell.signedHeaders(userId),
        });
        expect(res.status).toBe(204);
        const expected = i < users.length - 1 ? 1 : 0;
        expect(await queue.getJobSchedulersCount()).toBe(expected);
      }
    } finally {
      await workers.close();
    }
  });

  it('starts a migrated board within one interval, not at once, and leaves a scheduled board alone', async () => {
    const { queues } = cell.services;
    const queue = queues.queue(DISCOVERY_QUEUES.lever);
    const immediate = async (board: string) =>
      (await queue.getJobs(['waiting', 'active', 'completed'])).filter(
        (job) => job.repeatJobKey === boardSchedulerId('lever', board),
      ).length;

    // A board new to the cell: no fetch now, the first one within the interval.
    const before = Date.now();
    await queues.ensureBoard('lever', 'arrived-with-a-user', { firstFetch: 'spread' });
    const spread = await queue.getJobScheduler(boardSchedulerId('lever', 'arrived-with-a-user'));
    expect(spread?.next).toBeGreaterThan(before);
    expect(spread?.next).toBeLessThanOrEqual(Date.now() + INTERVAL_MS);
    expect(await immediate('arrived-with-a-user')).toBe(0);

    // The default: followed by a user here, fetched at once.
    await queues.ensureBoard('lever', 'followed-here');
    expect(await immediate('followed-here')).toBe(1);

    // Already scheduled: a spread ensure leaves its schedule as it was.
    const scheduled = await queue.getJobScheduler(boardSchedulerId('lever', 'followed-here'));
    await queues.ensureBoard('lever', 'followed-here', { firstFetch: 'spread' });
    expect(await queue.getJobScheduler(boardSchedulerId('lever', 'followed-here'))).toEqual(
      scheduled,
    );
    expect(await immediate('followed-here')).toBe(1);

    await queues.removeBoard('lever', 'arrived-with-a-user');
    await queues.removeBoard('lever', 'followed-here');
  });
});
