/** Liveness and readiness of the cell API; readiness names the failing dependency. */
import { Hono } from 'hono';
import { runChecks } from '../../../lib/health.ts';
import { readHeartbeat } from '../../workers/heartbeat.ts';
import type { CellEnv } from '../env.ts';

/** Each readiness check's bound: below the router's HEALTH_CHECK_TIMEOUT_MS. */
const READINESS_TIMEOUT_MS = 500;
/** ioredis states of a connection that was lost. */
const LOST = new Set(['reconnecting', 'close', 'end']);
/**
 * Clients readiness has seen `ready`. Once it has, any other state is a lost
 * connection too, including `connecting` during a reconnect attempt (a PING
 * would wait for that attempt); before it, a `connecting` client is making its
 * first connection, and the PING waits for it within the bound.
 */
const seenReady = new WeakSet<object>();

function redisCheck(redis: { status: string; ping(): Promise<unknown> }): Promise<unknown> {
  if (redis.status === 'ready') seenReady.add(redis);
  else if (LOST.has(redis.status) || seenReady.has(redis)) {
    return Promise.reject(new Error(`connection lost (${redis.status})`));
  }
  return redis.ping();
}

export const healthRoutes = new Hono<CellEnv>()
  .get('/live', (c) => c.json({ status: 'live', cellId: c.get('services').cellId }))
  .get('/ready', async (c) => {
    const { sql, redis, cellId } = c.get('services');
    // Bounded below the router's health-check timeout (800 ms by default), and a
    // Redis that is not connected fails at once instead of waiting out a reconnect
    // attempt: the router must hear "not ready: redis", not time out, because a
    // timed-out check is forgiven while the cell's other answers are good.
    const readiness = await runChecks(
      {
        postgres: () => sql`select 1`,
        redis: () => redisCheck(redis),
      },
      READINESS_TIMEOUT_MS,
    );
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
