/**
 * `POST /v1/applications` (apply), `GET /v1/applications` (kanban),
 * `GET /v1/applications/:id` (status, variant, steps, timeline),
 * `GET /v1/applications/:id/resume.pdf` (and `resume.docx`, `resume.txt`),
 * `POST`/`GET /v1/applications/:id/cover-letter` (and `cover-letter.pdf`, `cover-letter.docx`),
 * `POST /v1/applications/:id/approve`
 * and `POST /v1/applications/:id/outcome`.
 */
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../../lib/errors.ts';
import { readJson, readJsonBody, validate } from '../../../lib/validation.ts';
import { APPLICATION_MODES, OUTCOME_STATUSES } from '../../domain/applications/applications.ts';
import type { DownloadFormat, RenderedFile } from '../../domain/applications/pdf-renderer.ts';
import { APPLICATION_STATUSES } from '../../domain/applications/workflow.ts';
import { decodeJobsCursor, encodeJobsCursor } from '../../domain/jobs/jobs.ts';
import type { CellEnv } from '../env.ts';
import { intParam, requireUuid } from '../query-params.ts';

export const applyBody = z
  .object({
    jobId: z.uuid(),
    mode: z.enum(APPLICATION_MODES).default('review'),
    channel: z.string().min(1).max(50).default('manual'),
    /** Write a verified cover letter in the workflow and send it with the application. */
    coverLetter: z.boolean().default(false),
  })
  .strict();

/** `POST /v1/applications/:id/cover-letter` takes no options: an empty object or no body. */
export const coverLetterBody = z.object({}).strict();

export const applicationListQuery = z
  .object({
    status: z.enum(APPLICATION_STATUSES).optional(),
    limit: intParam(1, 100).optional(),
    cursor: z.string().optional(),
  })
  .strict();

export const approveBody = z
  .object({
    variant: z.record(z.string(), z.unknown()).optional(),
    /** Answers to the job's form questions, by field name, replacing the drafted ones. */
    answers: z
      .record(z.string().min(1).max(200), z.string().trim().min(1).max(5_000))
      .refine((answers) => Object.keys(answers).length <= 100, 'at most 100 answers')
      .optional(),
  })
  .strict();

export const submissionBody = z.object({ delivered: z.boolean() }).strict();

export const outcomeBody = z
  .object({
    status: z.enum(OUTCOME_STATUSES),
    at: z.iso.datetime({ offset: true }).optional(),
    note: z.string().max(2_000).optional(),
  })
  .strict();

/** A DOCX or text rendering as a file to save, named like the PDF. */
function download(c: Context<CellEnv>, file: RenderedFile, id: string, format: DownloadFormat) {
  return c.body(new Uint8Array(file.bytes), 200, {
    'content-type': file.contentType,
    etag: `"sha256-${file.sha256}"`,
    'content-disposition': `attachment; filename="resume-${id}.${format}"`,
  });
}

export const applicationRoutes = new Hono<CellEnv>()
  .post('/', async (c) => {
    const body = await readJsonBody(c, applyBody);
    const created = await c.get('services').applications.create(c.get('userId'), body);
    return c.json(created, 202);
  })
  .get('/', async (c) => {
    const query = validate(applicationListQuery, c.req.query(), 'query');
    let beforeId: string | undefined;
    if (query.cursor !== undefined) {
      beforeId = decodeJobsCursor(query.cursor);
      if (!beforeId) {
        throw new ApiError('validation_failed', 'Invalid query', {
          details: { problems: [{ pointer: '/cursor', message: 'is not a cursor from this API' }] },
        });
      }
    }
    const { applications, hasMore, counts } = await c
      .get('services')
      .applications.list(c.get('userId'), {
        status: query.status,
        limit: query.limit ?? 20,
        beforeId,
      });
    const last = applications.at(-1);
    return c.json({
      applications,
      counts,
      nextCursor: hasMore && last ? encodeJobsCursor(last.id) : null,
    });
  })
  .get('/:id', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    return c.json(await c.get('services').applications.get(c.get('userId'), id));
  })
  .get('/:id/resume.pdf', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    const { pdf, sha256 } = await c.get('services').applications.pdf(c.get('userId'), id);
    return c.body(new Uint8Array(pdf), 200, {
      'content-type': 'application/pdf',
      etag: `"sha256-${sha256}"`,
      'content-disposition': `inline; filename="resume-${id}.pdf"`,
    });
  })
  .get('/:id/resume.docx', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    return download(
      c,
      await c.get('services').applications.renderedAs(c.get('userId'), id, 'docx'),
      id,
      'docx',
    );
  })
  .get('/:id/resume.txt', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    return download(
      c,
      await c.get('services').applications.renderedAs(c.get('userId'), id, 'txt'),
      id,
      'txt',
    );
  })
  .post('/:id/cover-letter', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    const raw = (await c.req.text()).trim(); // cached: readJson reads the same text
    if (raw !== '') validate(coverLetterBody, await readJson(c));
    return c.json(await c.get('services').coverLetters.rewrite(c.get('userId'), id));
  })
  .get('/:id/cover-letter', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    return c.json(await c.get('services').coverLetters.get(c.get('userId'), id));
  })
  .get('/:id/cover-letter.pdf', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    const { pdf, sha256 } = await c.get('services').coverLetters.pdf(c.get('userId'), id);
    return c.body(new Uint8Array(pdf), 200, {
      'content-type': 'application/pdf',
      etag: `"sha256-${sha256}"`,
      'content-disposition': `inline; filename="cover-letter-${id}.pdf"`,
    });
  })
  .get('/:id/cover-letter.docx', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    const file = await c.get('services').coverLetters.docx(c.get('userId'), id);
    return c.body(new Uint8Array(file.bytes), 200, {
      'content-type': file.contentType,
      etag: `"sha256-${file.sha256}"`,
      'content-disposition': `attachment; filename="cover-letter-${id}.docx"`,
    });
  })
  .post('/:id/approve', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    // The body is optional: an approval without an edit may have none.
    const raw = (await c.req.text()).trim(); // cached: readJson reads the same text
    const body = raw === '' ? {} : validate(approveBody, await readJson(c));
    const result = await c.get('services').applications.approve(
      c.get('userId'),
      id,
      body.variant || body.answers
        ? {
            ...(body.variant ? { variant: body.variant } : {}),
            ...(body.answers ? { answers: body.answers } : {}),
          }
        : undefined,
    );
    await c.get('services').notifications.dispatchForApplication(id);
    return c.json(result, 202);
  })
  .post('/:id/submission', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    const { delivered } = await readJsonBody(c, submissionBody);
    const result = await c
      .get('services')
      .applications.resolveSubmission(c.get('userId'), id, delivered);
    await c.get('services').notifications.dispatchForApplication(id);
    return c.json(result, delivered ? 200 : 202);
  })
  .post('/:id/outcome', async (c) => {
    const id = requireUuid(c.req.param('id'), 'application');
    const body = await readJsonBody(c, outcomeBody);
    const result = await c.get('services').applications.recordOutcome(c.get('userId'), id, body);
    await c.get('services').notifications.dispatchForApplication(id);
    return c.json(result);
  });
