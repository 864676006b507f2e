/** `POST /v1/job-sources`, `GET /v1/job-sources`, `DELETE /v1/job-sources/:id`: boards a user follows. */
import { Hono } from 'hono';
import { z } from 'zod';
import { readJsonBody } from '../../../lib/validation.ts';
import { BOARD_TOKEN_PATTERN, PROVIDERS } from '../../adapters/job-boards/types.ts';
import { sourceFiltersSchema } from '../../domain/discovery/source-filters.ts';
import type { CellEnv } from '../env.ts';
import { requireUuid } from '../query-params.ts';

export const createJobSourceBody = z
  .object({
    provider: z.enum(PROVIDERS),
    board: z
      .string()
      .regex(
        BOARD_TOKEN_PATTERN,
        'must be a board token: letters, digits, - and _ (no URL, no slash, no dots)',
      ),
    filters: sourceFiltersSchema.default({}),
  })
  .strict();

export const jobSourceRoutes = new Hono<CellEnv>()
  .post('/', async (c) => {
    const body = await readJsonBody(c, createJobSourceBody);
    const result = await c.get('services').jobSources.follow(c.get('userId'), body);
    return c.json(result, 201);
  })
  .get('/', async (c) => {
    const sources = await c.get('services').jobSources.list(c.get('userId'));
    return c.json({ sources });
  })
  .delete('/:id', async (c) => {
    const id = requireUuid(c.req.param('id'), 'job source');
    await c.get('services').jobSources.unfollow(c.get('userId'), id);
    return c.body(null, 204);
  });
