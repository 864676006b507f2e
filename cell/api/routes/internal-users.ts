/** `PUT /internal/v1/users/:userId`: the router initialises a user in this cell at signup. */
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../../lib/errors.ts';
import { readJsonBody } from '../../../lib/validation.ts';
import type { CellEnv } from '../env.ts';

const initUserBody = z.object({
  email: z.email().max(320),
  name: z.string().min(1).max(200),
});

export const internalUserRoutes = new Hono<CellEnv>().put('/:userId', async (c) => {
  const userId = c.req.param('userId');
  if (userId !== c.get('userId')) {
    throw new ApiError('forbidden', 'The signed user id does not match the path');
  }
  const body = await readJsonBody(c, initUserBody);
  const { created } = await c.get('services').users.initialize({ id: userId, ...body });
  return c.json({ userId, cellId: c.get('services').cellId, created }, created ? 201 : 200);
});
