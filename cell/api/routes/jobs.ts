/**
 * `GET /v1/jobs` (filters, cursor pagination), `GET /v1/jobs/:id`,
 * `PATCH /v1/jobs/:id` and `POST /v1/jobs` (a job added by hand).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../../lib/errors.ts';
import { readJsonBody, validate } from '../../../lib/validation.ts';
import { decodeJobsCursor, encodeJobsCursor, USER_JOB_STATUSES } from '../../domain/jobs/jobs.ts';
import type { CellEnv } from '../env.ts';
import { booleanParam, intParam, requireUuid } from '../query-params.ts';

export const jobListQuery = z
  .object({
    q: z.string().trim().min(1).max(200).optional(),
    minScore: intParam(0, 100).optional(),
    remote: booleanParam.optional(),
    location: z.string().trim().min(1).max(200).optional(),
    status: z.enum(USER_JOB_STATUSES).optional(),
    limit: intParam(1, 100).optional(),
    cursor: z.string().optional(),
  })
  .strict();

export const jobPatchBody = z.object({ status: z.enum(USER_JOB_STATUSES) }).strict();

export const manualJobBody = z
  .object({
    title: z.string().trim().min(1).max(300),
    company: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(200_000),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2_000)
      .optional(),
    location: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const jobRoutes = new Hono<CellEnv>()
  .get('/', async (c) => {
    const query = validate(jobListQuery, c.req.query(), 'query');
    let afterJobId: string | undefined;
    if (query.cursor !== undefined) {
      afterJobId = decodeJobsCursor(query.cursor);
      if (!afterJobId) {
        throw new ApiError('validation_failed', 'Invalid query', {
          details: { problems: [{ pointer: '/cursor', message: 'is not a cursor from this API' }] },
        });
      }
    }
    const limit = query.limit ?? 20;
    const { jobs, hasMore } = await c.get('services').jobs.list(c.get('userId'), {
      ...query,
      limit,
      afterJobId,
    });
    const last = jobs.at(-1);
    return c.json({ jobs, nextCursor: hasMore && last ? encodeJobsCursor(last.id) : null });
  })
  .post('/', async (c) => {
    const body = await readJsonBody(c, manualJobBody);
    const job = await c.get('services').jobs.createManual(c.get('userId'), body);
    return c.json(job, 201);
  })
  .get('/:id', async (c) => {
    const id = requireUuid(c.req.param('id'), 'job');
    return c.json(await c.get('services').jobs.get(c.get('userId'), id));
  })
  .patch('/:id', async (c) => {
    const id = requireUuid(c.req.param('id'), 'job');
    const body = await readJsonBody(c, jobPatchBody);
    return c.json(await c.get('services').jobs.setStatus(c.get('userId'), id, body.status));
  });
