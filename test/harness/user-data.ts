/**
 * Helpers for the user-data and migration tests: router-signed calls to a
 * cell's internal user endpoints, and a user with a bit of everything a user
 * can own (profile versions, a followed board, a manual job and a shared board
 * job with postings and LSH bands, a submitted application with its steps,
 * variants, PDF, submission and outcome, events, notifications, a status
 * webhook and channel credentials).
 */
import { newId } from '../../lib/ids.ts';
import type { TestCell } from './cell.ts';
import type { Json } from './http.ts';
import { SAMPLE_RESUME_TEXT, type WorkflowCell } from './workflow.ts';

export async function internal(
  cell: TestCell,
  userId: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return cell.app.request(`/internal/v1/users/${userId}${path}`, {
    method,
    headers: cell.signedHeaders(
      userId,
      body === undefined ? {} : { 'content-type': 'application/json' },
    ),
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

export async function internalJson(
  cell: TestCell,
  userId: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const res = await internal(cell, userId, method, path, body);
  return { status: res.status, body: res.status === 204 ? {} : ((await res.json()) as Json) };
}

/** The export without its placement, the part that must not change when a user moves. */
export async function exportWithoutPlacement(cell: TestCell, userId: string): Promise<Json> {
  const res = await cell.app.request('/v1/export', { headers: cell.signedHeaders(userId) });
  if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
  const { placement: _placement, ...rest } = (await res.json()) as Json;
  return rest;
}

/** Inserts a board job shared by the cell (no owner), with a posting and its LSH bands. */
export async function insertBoardJob(
  cell: TestCell,
  input: { fingerprint: string; externalId: string; board?: string; title?: string },
): Promise<{ jobId: string; postingId: string }> {
  const jobId = newId();
  const postingId = newId();
  const title = input.title ?? 'Platform Engineer';
  await cell.db.sql`
    insert into jobs (id, fingerprint, title, company, description, content_hash, analysis,
                      analysis_source, analysis_hash, analyzed_at)
    values (${jobId}, ${input.fingerprint}, ${title}, 'Acme',
            'Go, Kubernetes and PostgreSQL at scale.', 'h-board',
            ${cell.db.sql.json({
              title,
              seniority: 'unknown',
              mustHave: ['go'],
              niceToHave: [],
              keywords: ['go', 'kubernetes'],
              yearsMin: null,
              location: null,
              remote: 'remote',
            })},
            'embedded', 'h-board', now())`;
  await cell.db.sql`
    insert into postings (id, job_id, provider, board, external_id, title, company, description,
                          content_hash, minhash, title_key)
    values (${postingId}, ${jobId}, 'greenhouse', ${input.board ?? 'acme'}, ${input.externalId},
            ${title}, 'Acme', 'Go, Kubernetes and PostgreSQL at scale.', 'h-board',
            ${Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255])}, 'platform engineer')`;
  await cell.db.sql`
    insert into posting_lsh_bands (band_key, posting_id)
    values (${4294967296 * 3 + 17}, ${postingId}), (${4294967296 * 9 + 5}, ${postingId})`;
  return { jobId, postingId };
}

export interface SeededUser {
  userId: string;
  manualJobId: string;
  boardJobId: string;
  applicationId: string;
}

/** A user with rows in every table a user can own; needs workers and the PDF service. */
export async function seedCompleteUser(
  cell: WorkflowCell,
  options: { boardFingerprint?: string; boardExternalId?: string } = {},
): Promise<SeededUser> {
  const { userId, jobId: manualJobId } = await cell.userWithJob();
  const expectStatus = async (res: Promise<Response>, status: number) => {
    const response = await res;
    if (response.status !== status) {
      throw new Error(`${status} expected, got ${response.status}: ${await response.text()}`);
    }
    return response;
  };
  const second = JSON.parse(SAMPLE_RESUME_TEXT) as Json;
  second.basics.summary = `${second.basics.summary ?? ''} Second version.`;
  await expectStatus(cell.request(userId, 'PUT', '/v1/profile', second), 200);
  await expectStatus(
    cell.request(userId, 'POST', '/v1/job-sources', { provider: 'greenhouse', board: 'acme' }),
    201,
  );
  const { jobId: boardJobId } = await insertBoardJob(cell, {
    fingerprint: options.boardFingerprint ?? `fp-${userId}`,
    externalId: options.boardExternalId ?? `gh-${userId}`,
  });
  await cell.db
    .sql`insert into user_jobs (user_id, job_id, status) values (${userId}, ${boardJobId}, 'saved')`;
  await expectStatus(
    cell.request(userId, 'PUT', '/v1/channels/webhook/credentials', {
      url: 'http://127.0.0.1:9/hook',
      secret: 'webhook-secret-0123456789',
    }),
    200,
  );
  await expectStatus(
    cell.request(userId, 'PUT', '/v1/notifications/webhook', {
      url: 'http://127.0.0.1:9/status',
      secret: 'status-secret-0123456789',
    }),
    200,
  );
  await expectStatus(
    cell.request(userId, 'PUT', '/v1/profile/answers', {
      noticePeriod: 'Quatre semaines',
      custom: [{ question: 'Why us?', answer: 'Ünïcode and care.' }],
    }),
    200,
  );
  const created = await expectStatus(
    cell.request(userId, 'POST', '/v1/applications', {
      jobId: manualJobId,
      mode: 'auto',
      channel: 'manual',
      // A verified cover letter is stored per application: it moves with the user too.
      coverLetter: true,
    }),
    202,
  );
  const { applicationId } = (await created.json()) as { applicationId: string };
  await cell.waitForStatus(userId, applicationId, ['submitted']);
  await expectStatus(
    cell.request(userId, 'POST', `/v1/applications/${applicationId}/outcome`, {
      status: 'interview',
      note: 'Première call — 30 min',
    }),
    200,
  );
  return { userId, manualJobId, boardJobId, applicationId };
}
