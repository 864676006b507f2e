/** `GET /v1/analytics`: the user's funnel and each strategy's response rate with its interval. */
import { Hono } from 'hono';
import type { CellEnv } from '../env.ts';

export const analyticsRoutes = new Hono<CellEnv>().get('/', async (c) =>
  c.json(await c.get('services').applications.analytics(c.get('userId'))),
);
