/**
 * Per-user rate limit counted in the cell's own Redis: a fixed window per
 * user, counted by `rate-limiter-flexible` (an atomic Lua script in Redis). A
 * user always lands on the same cell, so no global limiter is needed.
 *
 * **Redis down: fail open, with a warning** (at most every 30 s): the limiter
 * protects the cell, it must not take it down. (The cell's dependency breaker
 * answers before this runs once it knows Redis is down.)
 */
import type { MiddlewareHandler } from 'hono';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../../../lib/errors.ts';
import type { CellEnv } from '../env.ts';

export interface RateLimitOptions {
  /** Requests per user per window. @defaultValue 120 */
  limit?: number;
  /** Rounded to whole seconds. @defaultValue 60_000 */
  windowMs?: number;
  /** Redis key prefix. @defaultValue 'ratelimit' */
  prefix?: string;
}

/** How often the "limiter unavailable" warning may repeat. */
const WARN_EVERY_MS = 30_000;

export function perUserRateLimit(options: RateLimitOptions = {}): MiddlewareHandler<CellEnv> {
  const limit = options.limit ?? 120;
  const duration = Math.max(1, Math.round((options.windowMs ?? 60_000) / 1000));
  const keyPrefix = options.prefix ?? 'ratelimit';
  const limiters = new WeakMap<Redis, RateLimiterRedis>();
  let warnedAt = 0;
  return async (c, next) => {
    const { redis, logger } = c.get('services');
    let limiter = limiters.get(redis);
    if (!limiter) {
      limiter = new RateLimiterRedis({ storeClient: redis, points: limit, duration, keyPrefix });
      limiters.set(redis, limiter);
    }
    let state: RateLimiterRes | undefined;
    let over = false;
    try {
      state = await limiter.consume(c.get('userId'));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        state = rejection;
        over = true;
      } else if (Date.now() - warnedAt > WARN_EVERY_MS) {
        warnedAt = Date.now();
        logger.warn({ err: rejection }, 'rate limiter unavailable; requests allowed');
      }
    }
    if (state) {
      const resetSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
      c.header('ratelimit-limit', String(limit));
      c.header('ratelimit-remaining', String(Math.max(0, limit - state.consumedPoints)));
      c.header('ratelimit-reset', String(resetSeconds));
      if (over) {
        throw new ApiError('rate_limited', `More than ${limit} requests per minute`, {
          headers: { 'retry-after': String(resetSeconds) },
          details: { limit, retryAfterSeconds: resetSeconds },
        });
      }
    }
    await next();
  };
}
