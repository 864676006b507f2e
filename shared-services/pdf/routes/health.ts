/** Liveness and readiness: ready while the render pool is open and has its threads. */
import { Hono } from 'hono';
import { readinessResponse } from '../../../lib/health.ts';
import type { PdfEnv } from '../env.ts';

export const healthRoutes = new Hono<PdfEnv>()
  .get('/live', (c) => c.json({ status: 'live' }))
  .get('/ready', (c) => {
    const { pool } = c.get('services');
    return readinessResponse(c, {
      renderPool: async () => {
        const stats = pool.stats();
        if (stats.threads === 0) throw new Error('no render threads running');
        return { ...stats };
      },
    });
  });
