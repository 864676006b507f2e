/**
 * The applications workflow end to end in a test cell: real Postgres and
 * Redis, the cell's BullMQ workers, the real PDF service, and local fakes for
 * the webhook receiver and the Greenhouse board.
 */
import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_QUEUES, WORKFLOW_STEPS } from '../../cell/infra/queues.ts';
import type { Resume } from '../../shared-services/pdf/render/resume-schema.ts';
import {
  expectedInOrder,
  expectInReadingOrder,
} from '../../shared-services/pdf/test-support/facts.ts';
import { pdfToText } from '../../shared-services/pdf/test-support/poppler.ts';
import { startFakeGreenhouse } from '../fakes/greenhouse-board.ts';
import type { FakeApplicationApi } from '../fakes/http-fake.ts';
import { startFakeWebhookReceiver } from '../fakes/webhook-receiver.ts';
import type { Json } from '../harness/http.ts';
import {
  createWorkflowCell,
  type PdfService,
  SAMPLE_RESUME_TEXT,
  startPdfService,
  type WorkflowCell,
} from '../harness/workflow.ts';

const WEBHOOK_SECRET = 'webhook-secret-0123456789';
let pdf: PdfService;
let cell: WorkflowCell;
let receiver: FakeApplicationApi;
let statusReceiver: FakeApplicationApi;
let board: FakeApplicationApi;

beforeAll(async () => {
  pdf = await startPdfService();
  receiver = await startFakeWebhookReceiver({ secret: WEBHOOK_SECRET });
  statusReceiver = await startFakeWebhookReceiver({ secret: WEBHOOK_SECRET });
  board = await startFakeGreenhouse({ apiKey: 'gh-key' });
  cell = await createWorkflowCell({
    pdfUrl: pdf.url,
    config: { GREENHOUSE_API_URL: `${board.url}/v1` },
  });
});
afterAll(async () => {
  await cell?.close();
  await Promise.all([pdf?.close(), receiver?.close(), statusReceiver?.close(), board?.close()]);
});

function eventTypes(app: Record<string, unknown>): string[] {
  return (app.timeline as { type: string }[]).map((e) => e.type);
}

/** A user with a job discovered on the fake Greenhouse board, and the board's employer key. */
async function greenhouseJob(): Promise<{ userId: string; jobId: string }> {
  const { userId } = await cell.userWithJob();
  // The posting gives the board token and job id.
  const [job] = await cell.db.sql<{ id: string }[]>`
    insert into jobs (id, fingerprint, title, company, description, content_hash)
    values (gen_random_uuid(), ${`fp-${userId}`}, 'Backend Engineer', 'Acme',
            'Node.js and PostgreSQL.', 'h1')
    returning id`;
  const jobId = job?.id ?? '';
  await cell.db.sql`
    insert into postings (id, job_id, provider, board, external_id, title, company, description,
                          content_hash)
    values (gen_random_uuid(), ${jobId}, 'greenhouse', 'acme', ${`gh-${userId}`},
            'Backend Engineer', 'Acme', 'Node.js and PostgreSQL.', 'h1')`;
  await cell.db.sql`insert into user_jobs (user_id, job_id) values (${userId}, ${jobId})`;
  const put = await cell.request(userId, 'PUT', '/v1/channels/greenhouse/credentials?scope=acme', {
    apiKey: 'gh-key',
  });
  expect(put.status).toBe(200);
  return { userId, jobId };
}

describe('auto mode', () => {
  it('completes with exactly one submission, a verified variant and a readable PDF', async () => {
    const { userId, jobId } = await cell.userWithJob();
    const res = await cell.request(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'auto',
      channel: 'manual',
    });
    expect(res.status).toBe(202);
    const { applicationId } = (await res.json()) as { applicationId: string };
    const app = await cell.waitForStatus(userId, applicationId, ['submitted', 'failed']);
    expect(app.failure).toBeNull();
    expect(app.status).toBe('submitted');
    expect(app.variant.strategy).toMatch(/keyword-first|impact-first|concise/);
    expect(app.candidates).toHaveLength(3);
    // Analysis runs as soon as the job is added: if it finished before the application was
    // created, the workflow skips the step.
    const steps = app.steps.map((s: { step: string; status: string }) => [s.step, s.status]);
    expect(steps[0]?.[0]).toBe('analyze');
    expect(['done', 'skipped']).toContain(steps[0]?.[1]);
    expect(steps.slice(1)).toEqual([
      ['generate', 'done'],
      ['verify', 'done'],
      ['render', 'done'],
      ['submit', 'done'],
    ]);
    expect(app.submission).toMatchObject({ state: 'submitted', attempts: 1 });
    expect(eventTypes(app)).toEqual([
      'resume.generated',
      'resume.verified',
      'application.submitted',
      'workflow.completed',
    ]);
    const pdfRes = await cell.request(
      userId,
      'GET',
      `/v1/applications/${applicationId}/resume.pdf`,
    );
    expect(pdfRes.status).toBe(200);
    expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
    const text = await pdfToText(new Uint8Array(await pdfRes.arrayBuffer()));
    expect(text).toContain('Richard Hendriks');
    expect(text).toContain('Pied Piper');
  });

  it('submits through the webhook channel once, signed, and answers a second apply with 409', async () => {
    const { userId, jobId } = await cell.userWithJob();
    const put = await cell.request(userId, 'PUT', '/v1/channels/webhook/credentials', {
      url: receiver.url,
      secret: WEBHOOK_SECRET,
    });
    expect(put.status).toBe(200);
    const before = receiver.applications.length;
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'auto',
      channel: 'webhook',
    });
    await cell.waitForStatus(userId, created.applicationId, ['submitted']);
    expect(receiver.applications.length - before).toBe(1);
    const again = await cell.request(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'review',
      channel: 'manual',
    });
    expect(again.status).toBe(409);
    const body = (await again.json()) as { error: { code: string; details: unknown } };
    expect(body.error.code).toBe('already_applied');
    expect(body.error.details).toEqual({ applicationId: created.applicationId });
  });
});

describe('review mode', () => {
  it('waits for approval, then submits once; approving twice is 409', async () => {
    const { userId, jobId } = await cell.userWithJob();
    await cell.request(userId, 'PUT', '/v1/channels/webhook/credentials', {
      url: receiver.url,
      secret: WEBHOOK_SECRET,
    });
    const before = receiver.applications.length;
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      channel: 'webhook',
    });
    const waiting = await cell.waitForStatus(userId, created.applicationId, ['awaiting_approval']);
    expect(waiting.deadlineAt).toBeNull(); // a human step stops the clock
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.applications.length - before).toBe(0);
    const approve = await cell.request(
      userId,
      'POST',
      `/v1/applications/${created.applicationId}/approve`,
    );
    expect(approve.status).toBe(202);
    await cell.waitForStatus(userId, created.applicationId, ['submitted']);
    expect(receiver.applications.length - before).toBe(1);
    const twice = await cell.request(
      userId,
      'POST',
      `/v1/applications/${created.applicationId}/approve`,
    );
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as { error: { code: string } }).error.code).toBe(
      'already_approved',
    );
  });

  it('offers the variant as DOCX and plain text beside the PDF, with the same facts in the same order, to its owner only', async () => {
    const { userId, jobId } = await cell.userWithJob();
    const created = await cell.json(userId, 'POST', '/v1/applications', { jobId });
    const id: string = created.applicationId;
    const waiting = await cell.waitForStatus(userId, id, ['awaiting_approval']);
    const facts = expectedInOrder(waiting.variant.resume as Resume);
    expect(facts).toContain('Pied Piper');

    const pdfRes = await cell.request(userId, 'GET', `/v1/applications/${id}/resume.pdf`);
    expectInReadingOrder(await pdfToText(new Uint8Array(await pdfRes.arrayBuffer())), facts);

    const docxRes = await cell.request(userId, 'GET', `/v1/applications/${id}/resume.docx`);
    expect(docxRes.status).toBe(200);
    expect(docxRes.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(docxRes.headers.get('content-disposition')).toBe(
      `attachment; filename="resume-${id}.docx"`,
    );
    const docx = Buffer.from(await docxRes.arrayBuffer());
    expect(docxRes.headers.get('etag')).toBe(
      `"sha256-${createHash('sha256').update(docx).digest('hex')}"`,
    );
    expectInReadingOrder((await mammoth.extractRawText({ buffer: docx })).value, facts);

    const txtRes = await cell.request(userId, 'GET', `/v1/applications/${id}/resume.txt`);
    expect(txtRes.status).toBe(200);
    expect(txtRes.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(txtRes.headers.get('content-disposition')).toBe(
      `attachment; filename="resume-${id}.txt"`,
    );
    const text = await txtRes.text();
    expect(text.startsWith('Richard Hendriks\n')).toBe(true);
    expectInReadingOrder(text, facts);

    // Rendered from the same variant, the same bytes each time.
    const again = await cell.request(userId, 'GET', `/v1/applications/${id}/resume.docx`);
    expect(again.headers.get('etag')).toBe(docxRes.headers.get('etag'));

    const stranger = await cell.userWithJob();
    for (const file of ['resume.docx', 'resume.txt']) {
      const foreign = await cell.request(stranger.userId, 'GET', `/v1/applications/${id}/${file}`);
      expect(foreign.status).toBe(404);
    }
  });

  it('answers 404 for DOCX and text before the application has a variant', async () => {
    const { userId, jobId } = await cell.userWithJob();
    // An application still at its first step: nothing is queued for it, so it stays without a variant.
    const [row] = await cell.db.sql<{ id: string }[]>`
      insert into applications (id, user_id, job_id, mode, channel, status, profile_version)
      values (gen_random_uuid(), ${userId}, ${jobId}, 'review', 'manual', 'analyzing', 1)
      returning id`;
    for (const file of ['resume.docx', 'resume.txt', 'resume.pdf']) {
      const res = await cell.request(userId, 'GET', `/v1/applications/${row?.id}/${file}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  it('approves an edited variant only if it passes the verifier, then re-renders it', async () => {
    const { userId, jobId } = await cell.userWithJob();
    const created = await cell.json(userId, 'POST', '/v1/applications', { jobId });
    const waiting = await cell.waitForStatus(userId, created.applicationId, ['awaiting_approval']);
    const variant = structuredClone(waiting.variant.resume);
    const invented = structuredClone(variant);
    invented.work[0].name = 'Invented Corp';
    const refused = await cell.request(
      userId,
      'POST',
      `/v1/applications/${created.applicationId}/approve`,
      { variant: invented },
    );
    expect(refused.status).toBe(422);
    const refusedBody = (await refused.json()) as { error: { code: string; details: Json } };
    expect(refusedBody.error.code).toBe('verification_failed');
    expect(JSON.stringify(refusedBody.error.details.violations)).toContain('Invented Corp');
    // A summary the user rewords cites nothing: refused, with the rule.
    const reworded = structuredClone(variant);
    reworded.basics.summary = 'Award-winning leader of 40 engineers';
    const rewordedAnswer = await cell.request(
      userId,
      'POST',
      `/v1/applications/${created.applicationId}/approve`,
      { variant: reworded },
    );
    expect(rewordedAnswer.status).toBe(422);
    const rewordedBody = (await rewordedAnswer.json()) as { error: { details: Json } };
    expect(rewordedBody.error.details.violations).toEqual([
      expect.objectContaining({ pointer: '/basics/summary', rule: 'no_citation' }),
    ]);
    // Dropping a section is an allowed edit; the verified rewrites it shows are kept.
    delete variant.interests;
    const ok = await cell.request(
      userId,
      'POST',
      `/v1/applications/${created.applicationId}/approve`,
      { variant },
    );
    expect(ok.status).toBe(202);
    const done = await cell.waitForStatus(userId, created.applicationId, ['submitted']);
    expect(done.revision).toBe(1);
    expect(done.variant.source).toBe('edited');
    expect(done.pdf.revision).toBe(1);
  });
});

describe('characters no font can draw', () => {
  it('shows which characters and fields print as a replacement mark before approval', async () => {
    const profile = JSON.parse(SAMPLE_RESUME_TEXT) as { basics: { name: string } };
    profile.basics.name = `${profile.basics.name} \ue000`;
    const { userId, jobId } = await cell.userWithJob(profile);
    const created = await cell.json(userId, 'POST', '/v1/applications', { jobId });
    const waiting = await cell.waitForStatus(userId, created.applicationId, ['awaiting_approval']);
    const render = (waiting.steps as { step: string; detail: Json }[]).find(
      (s) => s.step === 'render',
    );
    expect(render?.detail.missingGlyphs).toEqual({
      count: 1,
      chars: ['U+E000'],
      fields: ['/basics/name'],
    });
  });
});

describe('PDFs stored before the text-layer fix', () => {
  it('re-renders an unstamped PDF of an application awaiting approval, once', async () => {
    const { userId, jobId } = await cell.userWithJob();
    const created = await cell.json(userId, 'POST', '/v1/applications', { jobId });
    const waiting = await cell.waitForStatus(userId, created.applicationId, ['awaiting_approval']);
    expect(waiting.pdf.textLayer).toBe(2);
    expect(waiting.pdf.textLayerNote).toBeUndefined();
    // As rendered before the stamp existed.
    await cell.db.sql`
      update application_documents set text_layer = null where application_id = ${created.applicationId}`;
    const unstamped = await cell.json(userId, 'GET', `/v1/applications/${created.applicationId}`);
    expect(unstamped.pdf.textLayerNote).toContain('text-layer fix');

    const first = await cell.services.applications.rerenderUnstampedDocuments();
    expect(first.requeued).toBeGreaterThanOrEqual(1);
    // The call moved it to `rendering` under a new revision before returning.
    const again = await cell.waitForStatus(userId, created.applicationId, ['awaiting_approval']);
    expect(again.revision).toBe(waiting.revision + 1);
    expect(again.pdf.revision).toBe(waiting.revision + 1);
    expect(again.pdf.textLayer).toBe(2);
    expect(again.pdf.textLayerNote).toBeUndefined();
    expect(eventTypes(again)).toContain('resume.rerendered');
    const text = await pdfToText(
      new Uint8Array(
        await (
          await cell.request(userId, 'GET', `/v1/applications/${created.applicationId}/resume.pdf`)
        ).arrayBuffer(),
      ),
    );
    expect(text).toContain(again.variant.resume.basics.name);
    // Idempotent: nothing is left to re-render for this application.
    await cell.services.applications.rerenderUnstampedDocuments();
    const after = await cell.json(userId, 'GET', `/v1/applications/${created.applicationId}`);
    expect(after.revision).toBe(again.revision);
  });

  it('keeps the bytes of a submitted application and says its text layer may be damaged', async () => {
    const { userId, jobId } = await cell.userWithJob();
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'auto',
      channel: 'manual',
    });
    const done = await cell.waitForStatus(userId, created.applicationId, ['submitted']);
    await cell.db.sql`
      update application_documents set text_layer = null where application_id = ${created.applicationId}`;
    await cell.services.applications.rerenderUnstampedDocuments();
    const after = await cell.json(userId, 'GET', `/v1/applications/${created.applicationId}`);
    expect(after.status).toBe('submitted');
    expect(after.revision).toBe(done.revision);
    expect(after.pdf.sha256).toBe(done.pdf.sha256);
    expect(after.pdf.textLayer).toBeNull();
    expect(after.pdf.textLayerNote).toContain('kept as it was sent');
  });
});

describe('outcomes, analytics and notifications', () => {
  it('records an outcome, emits response.received, feeds analytics and the status webhook', async () => {
    const { userId, jobId } = await cell.userWithJob();
    const hook = await cell.request(userId, 'PUT', '/v1/notifications/webhook', {
      url: statusReceiver.url,
      secret: WEBHOOK_SECRET,
    });
    expect(hook.status).toBe(200);
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'auto',
      channel: 'manual',
    });
    await cell.waitForStatus(userId, created.applicationId, ['submitted']);
    const outcome = await cell.request(
      userId,
      'POST',
      `/v1/applications/${created.applicationId}/outcome`,
      { status: 'interview', note: 'phone screen' },
    );
    expect(outcome.status).toBe(200);
    const app = await cell.json(userId, 'GET', `/v1/applications/${created.applicationId}`);
    expect(app.status).toBe('interview');
    expect(eventTypes(app)).toContain('response.received');
    const analytics = await cell.json(userId, 'GET', '/v1/analytics');
    expect(analytics.funnel).toEqual({
      discovered: 1,
      applied: 1,
      responded: 1,
      interview: 1,
      offer: 0,
    });
    const chosen = analytics.strategies.find(
      (s: { strategy: string }) => s.strategy === app.strategy,
    );
    expect(chosen).toMatchObject({ applications: 1, responses: 1, observedRate: 1 });
    expect(chosen.interval.lower).toBeLessThan(chosen.responseRate);
    expect(chosen.interval.upper).toBeGreaterThan(chosen.responseRate);
    const notes = await cell.json(userId, 'GET', '/v1/notifications');
    expect(notes.notifications.map((n: { type: string }) => n.type)).toEqual([
      'application.status_changed',
      'application.submitted',
    ]);
    // Both notifications reach the signed status webhook (the fake verifies the signature).
    const deadline = Date.now() + 10_000;
    while (
      statusReceiver.applications.filter((a) => a.fields.applicationId === created.applicationId)
        .length < 2 &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const delivered = statusReceiver.applications.filter(
      (a) => a.fields.applicationId === created.applicationId,
    );
    expect(delivered.map((a) => a.fields.type).sort()).toEqual([
      'application.status_changed',
      'application.submitted',
    ]);
    const kanban = await cell.json(userId, 'GET', '/v1/applications?status=interview');
    expect(kanban.applications.map((a: { id: string }) => a.id)).toEqual([created.applicationId]);
    expect(kanban.counts).toEqual({ interview: 1 });
  });
});

describe('bad input', () => {
  const cases: [string, (ctx: Ctx) => Promise<Response>, number, string][] = [
    [
      'a job that does not exist',
      (x) =>
        cell.request(x.userId, 'POST', '/v1/applications', {
          jobId: '0190a000-0000-7000-8000-000000000000',
        }),
      404,
      'not_found',
    ],
    [
      "another user's job",
      (x) => cell.request(x.otherUserId, 'POST', '/v1/applications', { jobId: x.jobId }),
      404,
      'not_found',
    ],
    [
      'an unknown channel',
      (x) => cell.request(x.userId, 'POST', '/v1/applications', { jobId: x.jobId, channel: 'fax' }),
      400,
      'validation_failed',
    ],
    [
      'a channel without its credentials',
      (x) =>
        cell.request(x.userId, 'POST', '/v1/applications', {
          jobId: x.jobId,
          channel: 'greenhouse',
        }),
      422,
      'channel_not_configured',
    ],
    [
      'an outcome for an application never submitted',
      (x) =>
        cell.request(x.userId, 'POST', `/v1/applications/${x.reviewId}/outcome`, {
          status: 'viewed',
        }),
      409,
      'invalid_state',
    ],
    [
      'approving twice',
      async (x) => {
        await cell.request(x.userId, 'POST', `/v1/applications/${x.reviewId}/approve`);
        return cell.request(x.userId, 'POST', `/v1/applications/${x.reviewId}/approve`);
      },
      409,
      'already_approved',
    ],
    [
      'credentials for an unknown channel',
      (x) => cell.request(x.userId, 'PUT', '/v1/channels/fax/credentials', { apiKey: 'k' }),
      400,
      'validation_failed',
    ],
    [
      'invalid channel credentials',
      (x) => cell.request(x.userId, 'PUT', '/v1/channels/greenhouse/credentials', { key: 1 }),
      422,
      'channel_not_configured',
    ],
    [
      'an unknown mode',
      (x) => cell.request(x.userId, 'POST', '/v1/applications', { jobId: x.jobId, mode: 'yolo' }),
      400,
      'validation_failed',
    ],
    [
      "another user's application",
      (x) => cell.request(x.otherUserId, 'GET', `/v1/applications/${x.reviewId}`),
      404,
      'not_found',
    ],
    [
      'confirming a submission whose outcome is known',
      (x) =>
        cell.request(x.userId, 'POST', `/v1/applications/${x.reviewId}/submission`, {
          delivered: true,
        }),
      409,
      'invalid_state',
    ],
    [
      'a submission answer that is not a boolean',
      (x) =>
        cell.request(x.userId, 'POST', `/v1/applications/${x.reviewId}/submission`, {
          delivered: 'yes',
        }),
      400,
      'validation_failed',
    ],
    [
      "confirming another user's submission",
      (x) =>
        cell.request(x.otherUserId, 'POST', `/v1/applications/${x.reviewId}/submission`, {
          delivered: false,
        }),
      404,
      'not_found',
    ],
    [
      'an unknown outcome status',
      (x) =>
        cell.request(x.userId, 'POST', `/v1/applications/${x.reviewId}/outcome`, {
          status: 'ghosted',
        }),
      400,
      'validation_failed',
    ],
  ];
  interface Ctx {
    userId: string;
    otherUserId: string;
    jobId: string;
    reviewId: string;
  }
  let ctx: Ctx;
  beforeAll(async () => {
    const { userId, jobId } = await cell.userWithJob();
    const other = await cell.userWithJob();
    const second = await cell.json(userId, 'POST', '/v1/jobs', {
      title: 'Staff Engineer',
      company: 'Raviga',
      description: 'Go and Kubernetes.',
    });
    const review = await cell.json(userId, 'POST', '/v1/applications', { jobId: second.id });
    ctx = { userId, otherUserId: other.userId, jobId, reviewId: review.applicationId };
  });

  for (const [name, send, status, code] of cases) {
    it(`answers ${status} ${code} for ${name}`, async () => {
      const res = await send(ctx);
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { code: string; requestId: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.requestId).toBeTruthy();
    });
  }
});

describe('at-least-once delivery', () => {
  it('never submits twice when every step is delivered again', async () => {
    const { userId, jobId } = await cell.userWithJob();
    await cell.request(userId, 'PUT', '/v1/channels/webhook/credentials', {
      url: receiver.url,
      secret: WEBHOOK_SECRET,
    });
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'auto',
      channel: 'webhook',
    });
    const app = await cell.waitForStatus(userId, created.applicationId, ['submitted', 'failed']);
    expect(app.status).toBe('submitted');
    const count = () =>
      receiver.applications.filter((a) => a.fields.applicationId === created.applicationId).length;
    expect(count()).toBe(1);
    // Redeliver every step under new job ids, as BullMQ may after a crash.
    for (const step of WORKFLOW_STEPS) {
      const queue = new Queue(WORKFLOW_QUEUES[step], {
        connection: { url: cell.redisUrl },
        prefix: cell.queuePrefix,
      });
      await queue.add(step, { applicationId: created.applicationId, revision: 0 });
      await queue.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = await cell.json(userId, 'GET', `/v1/applications/${created.applicationId}`);
    expect(after.status).toBe('submitted');
    expect(count()).toBe(1);
    expect(eventTypes(after).filter((t) => t === 'application.submitted')).toHaveLength(1);
    expect(eventTypes(after).filter((t) => t === 'workflow.completed')).toHaveLength(1);
  });

  it('submits to the Greenhouse board once with the stored employer key', async () => {
    const { userId, jobId } = await greenhouseJob();
    const before = board.applications.length;
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'auto',
      channel: 'greenhouse',
    });
    const app = await cell.waitForStatus(userId, created.applicationId, ['submitted', 'failed']);
    expect(app.failure).toBeNull();
    expect(app.status).toBe('submitted');
    expect(board.applications.length - before).toBe(1);
    const received = board.applications.at(-1)?.fields as Json;
    expect(received).toMatchObject({ board: 'acme', first_name: 'Richard', last_name: 'Hendriks' });
    const text = await pdfToText(received.resume.bytes);
    expect(text).toContain('Pied Piper');
  });
});

describe('a submission whose outcome is unknown', () => {
  /** An auto application whose only request to the board dies without an answer. */
  async function unknownOutcome(afterProcessing: boolean) {
    const { userId, jobId } = await greenhouseJob();
    const before = board.applications.length;
    board.failNext({ kind: 'drop', afterProcessing });
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'auto',
      channel: 'greenhouse',
    });
    const id = created.applicationId as string;
    const app = await cell.waitForStatus(userId, id, ['submitted', 'failed']);
    expect(app.status).toBe('failed');
    expect(app.failure).toMatchObject({ step: 'submit', reason: 'submission_unknown' });
    expect(app.submission).toMatchObject({ state: 'unknown' });
    const { notifications } = await cell.json(userId, 'GET', '/v1/notifications');
    expect(notifications.map((n: { type: string }) => n.type)).toContain(
      'application.submission_unknown',
    );
    return { userId, id, before };
  }

  it('is sent again, once, when the user says it did not arrive', async () => {
    const { userId, id, before } = await unknownOutcome(false);
    expect(board.applications.length - before).toBe(0);
    const res = await cell.request(userId, 'POST', `/v1/applications/${id}/submission`, {
      delivered: false,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ applicationId: id, status: 'submitting' });
    const app = await cell.waitForStatus(userId, id, ['submitted', 'failed']);
    expect(app.status).toBe('submitted');
    expect(app.failure).toBeNull();
    expect(app.submission).toMatchObject({ state: 'submitted', attempts: 2 });
    expect(board.applications.length - before).toBe(1);
    expect(eventTypes(app).slice(-3)).toEqual([
      'application.resubmitting',
      'application.submitted',
      'workflow.completed',
    ]);
    const again = await cell.request(userId, 'POST', `/v1/applications/${id}/submission`, {
      delivered: false,
    });
    expect(again.status).toBe(409);
  });

  it('is submitted without sending again when the user says it arrived', async () => {
    const { userId, id, before } = await unknownOutcome(true);
    expect(board.applications.length - before).toBe(1);
    const res = await cell.request(userId, 'POST', `/v1/applications/${id}/submission`, {
      delivered: true,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ applicationId: id, status: 'submitted' });
    const app = await cell.json(userId, 'GET', `/v1/applications/${id}`);
    expect(app.status).toBe('submitted');
    expect(app.submission).toMatchObject({ state: 'submitted', attempts: 1 });
    expect(eventTypes(app).slice(-2)).toEqual(['application.submitted', 'workflow.completed']);
    const outcome = await cell.request(userId, 'POST', `/v1/applications/${id}/outcome`, {
      status: 'viewed',
    });
    expect(outcome.status).toBe(200);
    expect(board.applications.length - before).toBe(1);
  });
});
