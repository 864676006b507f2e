/** `GET /v1/me`: who the router says this request is for, and which cell serves it. */
import { Hono } from 'hono';
import type { CellEnv } from '../env.ts';

export const meRoutes = new Hono<CellEnv>().get('/', async (c) => {
  const { users, cellId } = c.get('services');
  const userId = c.get('userId');
  const user = await users.find(userId);
  return c.json({
    userId,
    cellId,
    initialized: Boolean(user),
    email: user?.email ?? null,
    name: user?.name ?? null,
  });
});
