/** `GET /v1/events?after=&type=&limit=`: the user's append-only event log, oldest first. */
import { Hono } from 'hono';
import { z } from 'zod';
import { validate } from '../../../lib/validation.ts';
import { EVENT_TYPES } from '../../domain/events.ts';
import type { CellEnv } from '../env.ts';
import { intParam } from '../query-params.ts';

export const eventsQuery = z
  .object({
    after: z.uuid().optional(),
    type: z.enum(EVENT_TYPES).optional(),
    limit: intParam(1, 100).optional(),
  })
  .strict();

export const eventRoutes = new Hono<CellEnv>().get('/', async (c) => {
  const query = validate(eventsQuery, c.req.query(), 'query');
  const { events, hasMore } = await c.get('services').eventsLog.read(c.get('userId'), {
    ...query,
    limit: query.limit ?? 50,
  });
  return c.json({ events, hasMore, next: events.at(-1)?.id ?? query.after ?? null });
});
