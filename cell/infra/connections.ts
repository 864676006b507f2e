/**
 * The cell's connections to its own Postgres shard and Redis, built once per
 * process. API-side Redis fails fast (no offline queue) so a dead Redis gives a
 * quick error, while BullMQ workers wait for Redis to come back.
 */
import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import type { Logger } from '../../lib/logger.ts';

export type Sql = postgres.Sql;

export function connectPostgres(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    connect_timeout: 2,
    idle_timeout: 30,
    onnotice: () => {},
    // Keep jsonb columns as parsed objects, and let JSON documents round-trip unchanged.
    transform: { undefined: null },
  });
}

/** Redis for request paths: fail fast when Redis is down instead of waiting for it. */
export function connectRedisFailFast(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    // Commands wait for a connection through at most one reconnect attempt and
    // time out after a second, so a dead Redis costs a request ~1 s, not a hang.
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    connectTimeout: 1_000,
    retryStrategy: (times) => Math.min(times * 200, 1_000),
  });
  redis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  return redis;
}

/** Connection options for BullMQ workers: block and retry until Redis is back. */
export function workerRedisOptions(
  url: string,
): ConnectionOptions & { host: string; port: number } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    password: parsed.password || undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  };
}

/**
 * Connection options for BullMQ producers on request paths: fail fast. Commands
 * may wait for the first connection (so a process that enqueues right after it
 * starts does not fail on a connection still being made) but give up after one
 * reconnect attempt or two seconds when Redis is down.
 */
export function producerRedisOptions(url: string): ConnectionOptions {
  return {
    ...workerRedisOptions(url),
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    connectTimeout: 2_000,
  };
}
