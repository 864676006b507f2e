/**
 * Per-user rate limit counted in the cell's own Redis: a fixed one-minute
 * window per user, incremented atomically by a Lua script. A user always lands
 * on the same cell, so no global limiter is needed. When Redis cannot answer,
 * requests pass (the limiter protects the cell; it must not take it down).
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../../lib/errors.ts';
import type { CellEnv } from '../env.ts';

const WINDOW_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

export interface RateLimitOptions {
  /** Requests per user per window. @defaultValue 120 */
  limit?: number;
  /** @defaultValue 60_000 */
  windowMs?: number;
  /** Redis key prefix. @defaultValue 'ratelimit' */
  prefix?: string;
}

export function perUserRateLimit(options: RateLimitOptions = {}): MiddlewareHandler<CellEnv> {
  const limit = options.limit ?? 120;
  const windowMs = options.windowMs ?? 60_000;
  const prefix = options.prefix ?? 'ratelimit';
  return async (c, next) => {
    const userId = c.get('userId');
    const { redis, logger } = c.get('services');
    let result: [number, number] | undefined;
    try {
      result = (await redis.eval(WINDOW_SCRIPT, 1, `${prefix}:${userId}`, windowMs)) as [
        number,
        number,
      ];
    } catch (error) {
      logger.warn({ err: error }, 'rate limiter unavailable; request allowed');
    }
    if (result) {
      const [count, ttlMs] = result;
      const resetSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
      c.header('ratelimit-limit', String(limit));
      c.header('ratelimit-remaining', String(Math.max(0, limit - count)));
      c.header('ratelimit-reset', String(resetSeconds));
      if (count > limit) {
        throw new ApiError('rate_limited', `More than ${limit} requests per minute`, {
          headers: { 'retry-after': String(resetSeconds) },
          details: { limit, retryAfterSeconds: resetSeconds },
        });
      }
    }
    await next();
  };
}
