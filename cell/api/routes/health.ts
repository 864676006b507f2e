/** Liveness and readiness of the cell API; readiness names the failing dependency. */
import { Hono } from 'hono';
import { runChecks } from '../../../lib/health.ts';
import { readHeartbeat } from '../../workers/heartbeat.ts';
import type { CellEnv } from '../env.ts';

export const healthRoutes = new Hono<CellEnv>()
  .get('/live', (c) => c.json({ status: 'live', cellId: c.get('services').cellId }))
  .get('/ready', async (c) => {
    const { sql, redis, cellId } = c.get('services');
    const readiness = await runChecks({
      postgres: () => sql`select 1`,
      redis: () => redis.ping(),
    });
    // The worker is reported, not required: a dead worker delays jobs but must
    // not take the cell's API out of rotation.
    const beat = readiness.checks.redis?.ok
      ? await readHeartbeat(redis).catch(() => undefined)
      : undefined;
    const worker = beat
      ? {
          ok: Date.now() - beat.at < 30_000,
          lastHeartbeatAgeMs: Date.now() - beat.at,
          pid: beat.pid,
        }
      : { ok: false, lastHeartbeatAgeMs: null };
    return c.json({ ...readiness, cellId, worker }, readiness.status === 'ready' ? 200 : 503);
  });
