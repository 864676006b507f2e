/**
 * A user's states in a cell as the migrator drives them, through the internal
 * endpoints and the public API: real Postgres and Redis, the cell's workers,
 * the real PDF service and a fake webhook receiver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeApplicationApi } from '../../../test/fakes/http-fake.ts';
import { startFakeWebhookReceiver } from '../../../test/fakes/webhook-receiver.ts';
import { jsonOf } from '../../../test/harness/http.ts';
import { internal, internalJson } from '../../../test/harness/user-data.ts';
import {
  createWorkflowCell,
  type PdfService,
  SAMPLE_RESUME_TEXT,
  startPdfService,
  type WorkflowCell,
} from '../../../test/harness/workflow.ts';
import {
  boardSchedulerId,
  DISCOVERY_QUEUES,
  MATCH_QUEUE,
  WORKFLOW_QUEUES,
  workflowJobId,
} from '../../infra/queues.ts';

const WEBHOOK_SECRET = 'webhook-secret-0123456789';
let pdf: PdfService;
let cell: WorkflowCell;

beforeAll(async () => {
  pdf = await startPdfService();
  cell = await createWorkflowCell({ cellId: 'cell-a', pdfUrl: pdf.url });
});
afterAll(async () => {
  await cell?.close();
  await pdf?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a frozen user', () => {
  it('gets 503 user_migrating with Retry-After: 1 on writes while reads and other users work', async () => {
    const { userId } = await cell.userWithJob();
    const { userId: other } = await cell.userWithJob();
    expect(await internalJson(cell, userId, 'PUT', '/freeze')).toEqual({
      status: 200,
      body: {
        userId,
        state: 'frozen',
        movedTo: null,
        digests: (await internalJson(cell, userId, 'GET', '/digests')).body.digests,
      },
    });
    const write = await cell.request(userId, 'PUT', '/v1/profile', SAMPLE_RESUME_TEXT);
    expect(write.status).toBe(503);
    expect(write.headers.get('retry-after')).toBe('1');
    expect((await jsonOf(write)).error).toMatchObject({
      code: 'user_migrating',
      requestId: write.headers.get('x-request-id'),
    });
    expect((await cell.request(userId, 'GET', '/v1/profile')).status).toBe(200);
    expect((await cell.request(userId, 'GET', '/v1/export')).status).toBe(200);
    expect((await cell.request(other, 'PUT', '/v1/profile', SAMPLE_RESUME_TEXT)).status).toBe(200);
    // Idempotent, then rolled back.
    expect((await internal(cell, userId, 'PUT', '/freeze')).status).toBe(200);
    expect((await internalJson(cell, userId, 'DELETE', '/freeze')).body.state).toBe('active');
    expect((await internal(cell, userId, 'DELETE', '/freeze')).status).toBe(200);
    expect((await cell.request(userId, 'PUT', '/v1/profile', SAMPLE_RESUME_TEXT)).status).toBe(200);
  });

  it('answers the freeze only once the user’s running work ended, else 409 user_busy', async () => {
    const { userId } = await cell.userWithJob();
    const end = await cell.services.userActivity.begin(userId, 'api:PUT', 30_000);
    const busy = await internal(cell, userId, 'PUT', '/freeze?waitMs=100');
    expect(busy.status).toBe(409);
    expect((await jsonOf(busy)).error).toMatchObject({
      code: 'user_busy',
      details: { running: 1 },
    });
    // The freeze holds while the migrator retries.
    expect((await internalJson(cell, userId, 'GET', '/state')).body.state).toBe('frozen');
    const freezing = internal(cell, userId, 'PUT', '/freeze?waitMs=5000');
    await sleep(150);
    await end();
    expect((await freezing).status).toBe(200);
  });

  it('has its queued jobs delayed, not run, until the freeze is lifted', async () => {
    const { userId, jobId } = await cell.userWithJob();
    expect((await internal(cell, userId, 'PUT', '/freeze')).status).toBe(200);
    // A job queued before the freeze (the API refuses new writes): the domain call queues it.
    const { applicationId } = await cell.services.applications.create(userId, {
      jobId,
      mode: 'review',
      channel: 'manual',
    });
    await sleep(1_500);
    const [app] = await cell.db.sql`select status from applications where id = ${applicationId}`;
    expect(app?.status).toMatch(/analyzing|generating/);
    // No step ran: only the 'skipped' analyze that creation records for an analyzed job.
    expect(
      await cell.db.sql`select step from application_steps
                         where application_id = ${applicationId} and status <> 'skipped'`,
    ).toHaveLength(0);
    expect((await internal(cell, userId, 'DELETE', '/freeze')).status).toBe(200);
    const done = await cell.waitForStatus(userId, applicationId, ['awaiting_approval']);
    expect(done.status).toBe('awaiting_approval');
  });
});

describe('a moved user', () => {
  it('gets 409 user_moved naming the new cell on every request; its boards stop here', async () => {
    const { userId } = await cell.userWithJob();
    const board = `only-${userId.slice(-8)}`;
    expect(
      (await cell.request(userId, 'POST', '/v1/job-sources', { provider: 'lever', board })).status,
    ).toBe(201);
    expect((await cell.services.queues.listBoards()).map((b) => b.board)).toContain(board);

    const early = await internal(cell, userId, 'PUT', '/tombstone', { movedTo: 'cell-z' });
    expect(early.status).toBe(409);
    expect((await jsonOf(early)).error.code).toBe('invalid_state');
    expect((await internal(cell, userId, 'PUT', '/freeze')).status).toBe(200);
    expect(await internalJson(cell, userId, 'PUT', '/tombstone', { movedTo: 'cell-z' })).toEqual({
      status: 200,
      body: { userId, state: 'moved', movedTo: 'cell-z' },
    });
    for (const [method, path] of [
      ['GET', '/v1/me'],
      ['GET', '/v1/profile'],
      ['PUT', '/v1/profile'],
    ] as const) {
      const res = await cell.request(
        userId,
        method,
        path,
        method === 'PUT' ? SAMPLE_RESUME_TEXT : undefined,
      );
      expect(res.status, `${method} ${path}`).toBe(409);
      expect((await jsonOf(res)).error).toMatchObject({
        code: 'user_moved',
        details: { movedTo: 'cell-z' },
      });
    }
    expect((await cell.services.queues.listBoards()).map((b) => b.board)).not.toContain(board);

    // Lifted (the flip rolled back): frozen again, reads work.
    expect((await internalJson(cell, userId, 'DELETE', '/tombstone')).body.state).toBe('frozen');
    expect((await cell.request(userId, 'GET', '/v1/me')).status).toBe(200);
    expect((await internal(cell, userId, 'PUT', '/tombstone', { movedTo: 'cell-z' })).status).toBe(
      200,
    );

    // Clean-up: the rows go, the tombstone stays.
    expect((await internal(cell, userId, 'DELETE', '/data')).status).toBe(204);
    expect((await internal(cell, userId, 'DELETE', '/data')).status).toBe(204);
    expect((await internal(cell, userId, 'GET', '/data')).status).toBe(404);
    expect(await cell.db.sql`select 1 from events where user_id = ${userId}`).toHaveLength(0);
    expect((await cell.request(userId, 'GET', '/v1/me')).status).toBe(409);
    expect((await internal(cell, userId, 'DELETE', '/tombstone')).status).toBe(409);
  });

  it('is never purged while active or frozen without an account deletion', async () => {
    const { userId } = await cell.userWithJob();
    const refused = await internal(cell, userId, 'DELETE', '/data');
    expect(refused.status).toBe(409);
    expect((await jsonOf(refused)).error.code).toBe('invalid_state');
    expect((await internal(cell, userId, 'PUT', '/freeze')).status).toBe(200);
    expect((await internal(cell, userId, 'DELETE', '/data')).status).toBe(409);
    expect((await internal(cell, userId, 'GET', '/data')).status).toBe(200);
  });
});

describe('account deletion', () => {
  it('removes every row of the user, records the deletion, and refuses the account afterwards', async () => {
    const { userId } = await cell.userWithJob();
    const { userId: other } = await cell.userWithJob();
    expect(
      (await cell.request(userId, 'POST', '/v1/job-sources', { provider: 'ashby', board: 'acme' }))
        .status,
    ).toBe(201);
    const res = await internal(cell, userId, 'DELETE', '/data?reason=account_deleted');
    expect(res.status).toBe(204);
    const keyed = await cell.db.sql<{ table_name: string; column_name: string }[]>`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and column_name in ('user_id', 'owner_user_id')
        and table_name not in ('user_states', 'user_deletions')`;
    for (const { table_name, column_name } of keyed) {
      const rows = await cell.db.sql.unsafe(
        `select count(*)::int as n from "${table_name}" where "${column_name}" = $1`,
        [userId],
      );
      expect(rows[0]?.n, `${table_name}.${column_name}`).toBe(0);
    }
    expect(await cell.db.sql`select 1 from users where id = ${userId}`).toHaveLength(0);
    const [record] = await cell.db
      .sql`select reason, request_id, rows_deleted from user_deletions where user_id = ${userId}`;
    expect(record).toMatchObject({
      reason: 'account_deleted',
      request_id: res.headers.get('x-request-id'),
      rows_deleted: expect.objectContaining({ users: 1, events: expect.any(Number) }),
    });
    expect((await cell.request(userId, 'GET', '/v1/me')).status).toBe(401);
    expect((await internal(cell, userId, 'DELETE', '/data?reason=account_deleted')).status).toBe(
      204,
    );
    expect((await cell.request(other, 'GET', '/v1/profile')).status).toBe(200);
    expect((await internal(cell, userId, 'DELETE', '/data?reason=bored')).status).toBe(400);
  });
});

describe('moving in', () => {
  let receiver: FakeApplicationApi;
  let target: WorkflowCell;
  let stalled: WorkflowCell;
  beforeAll(async () => {
    receiver = await startFakeWebhookReceiver({ secret: WEBHOOK_SECRET });
    // The source renders nothing (its PDF service is down), so a workflow waits at render.
    stalled = await createWorkflowCell({ cellId: 'cell-s', pdfUrl: 'http://127.0.0.1:9' });
    target = await createWorkflowCell({ cellId: 'cell-t', pdfUrl: pdf.url });
  });
  afterAll(async () => {
    await stalled?.close();
    await target?.close();
    await receiver?.close();
  });

  it('activates an incoming user: boards followed, unfinished steps re-queued, submitted once', async () => {
    const { userId, jobId } = await stalled.userWithJob();
    expect(
      (
        await stalled.request(userId, 'POST', '/v1/job-sources', {
          provider: 'greenhouse',
          board: 'movers',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await stalled.request(userId, 'PUT', '/v1/channels/webhook/credentials', {
          url: receiver.url,
          secret: WEBHOOK_SECRET,
        })
      ).status,
    ).toBe(200);
    const { applicationId } = await stalled.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'auto',
      channel: 'webhook',
    });
    await stalled.waitForStatus(userId, applicationId, ['rendering']);

    expect((await internal(stalled, userId, 'PUT', '/freeze')).status).toBe(200);
    const dump = (await internalJson(stalled, userId, 'GET', '/data')).body;
    expect((await internalJson(target, userId, 'PUT', '/data', dump)).body.matchesDump).toBe(true);
    expect((await internalJson(target, userId, 'GET', '/state')).body.state).toBe('incoming');
    const early = await target.request(userId, 'GET', '/v1/me');
    expect(early.status).toBe(503);
    expect((await jsonOf(early)).error.code).toBe('user_migrating');
    expect(
      (await internal(stalled, userId, 'PUT', '/tombstone', { movedTo: 'cell-t' })).status,
    ).toBe(200);

    expect(await internalJson(target, userId, 'POST', '/activate')).toEqual({
      status: 200,
      body: { userId, state: 'active', requeued: 1, boards: 1 },
    });
    expect((await target.services.queues.listBoards()).map((b) => b.board)).toContain('movers');
    // Its jobs came with the user: the board's first fetch here is spread over the interval,
    // so its one job is still to run (not run, waiting or retrying).
    const boardJobs = (
      await target.services.queues
        .queue(DISCOVERY_QUEUES.greenhouse)
        .getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])
    ).filter((job) => job.repeatJobKey === boardSchedulerId('greenhouse', 'movers'));
    const now = Date.now();
    expect(
      boardJobs.map((job) => ({
        runsLater: job.timestamp + job.delay > now,
        processed: job.processedOn !== undefined,
      })),
    ).toEqual([{ runsLater: true, processed: false }]);
    // Its analyzed job's score came with it, computed from the same analysis and profile:
    // the activation's rescore (stale scores only) has nothing to redo.
    const [analyzed] = await target.db.sql<{ n: number }[]>`
      select count(*)::int as n from user_jobs uj join jobs j on j.id = uj.job_id
      where uj.user_id = ${userId} and j.analysis is not null`;
    expect(analyzed?.n).toBe(1);
    const activationMatch = async () =>
      (
        await target.services.queues
          .queue(MATCH_QUEUE)
          .getJobs(['completed', 'failed', 'waiting', 'active', 'delayed'])
      ).find((job) => job.data.userId === userId && job.data.staleOnly === true);
    await expect
      .poll(async () => (await activationMatch())?.returnvalue, { timeout: 10_000 })
      .toEqual({ scored: 0 });
    const app = await target.waitForStatus(userId, applicationId, ['submitted']);
    expect(app.submission).toMatchObject({ state: 'submitted', attempts: 1 });
    const received = () =>
      receiver.applications.filter((a) => a.fields.applicationId === applicationId);
    expect(received()).toHaveLength(1);

    // The source's delayed render job wakes up and is dropped: the user moved.
    await sleep(2_500);
    const renderJob = await stalled.services.queues
      .queue(WORKFLOW_QUEUES.render)
      .getJob(workflowJobId('render', applicationId, 0));
    expect(await renderJob?.getState()).toBe('completed');
    expect(renderJob?.returnvalue).toEqual({ skipped: 'moved' });
    const [left] = await stalled.db
      .sql`select status from applications where id = ${applicationId}`;
    expect(left?.status).toBe('rendering');

    expect((await internalJson(target, userId, 'POST', '/activate')).body).toMatchObject({
      requeued: 0,
    });
    await sleep(500);
    expect(received()).toHaveLength(1);
  });
});
