/**
 * Login attempt limits per client IP and per email, fixed windows counted by
 * `rate-limiter-flexible`.
 *
 * - **Shared** (`LOGIN_LIMIT_REDIS_URL` set, as `make dev-cells` and the
 *   Kubernetes manifests do): the counters live in the shared Redis, so N
 *   router replicas give an attacker the budget of one.
 * - **Redis down: fail open to this replica's memory, with a warning.** Each
 *   replica then counts on its own (the insurance limiter): an attacker gets at
 *   most N times the budget for as long as Redis is away, and logins keep
 *   working. Failing closed would turn a Redis outage into a login outage for
 *   every user, which the limiter exists to prevent for one.
 * - **Not shared** (no URL): memory only, exact for one replica.
 */
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Logger } from '../../lib/logger.ts';

export interface LoginLimiterOptions {
  /** Attempts allowed per window. */
  limit: number;
  windowMs: number;
  /** Distinguishes the IP and email counters in Redis (`login-ip`, `login-email`). */
  name: string;
  /** The shared Redis; without it, counts are per replica. */
  redis?: Redis;
  logger?: Logger;
}

/** How often the "Redis is down, counting locally" warning may repeat. */
const WARN_EVERY_MS = 30_000;

export class LoginLimiter {
  readonly #limiter: RateLimiterAbstract;
  readonly #redis: Redis | undefined;
  readonly #logger: Logger | undefined;
  readonly #name: string;
  #warnedAt = 0;

  constructor(options: LoginLimiterOptions) {
    const window = {
      points: options.limit,
      duration: Math.max(1, Math.ceil(options.windowMs / 1000)),
      keyPrefix: `router:${options.name}`,
    };
    const local = new RateLimiterMemory(window);
    this.#limiter = options.redis
      ? new RateLimiterRedis({ ...window, storeClient: options.redis, insuranceLimiter: local })
      : local;
    this.#redis = options.redis;
    this.#logger = options.logger;
    this.#name = options.name;
  }

  /** Whether the counts are shared by every replica right now. */
  get shared(): boolean {
    return this.#redis?.status === 'ready';
  }

  /** Counts one attempt; returns the seconds to wait when over the limit, else 0. */
  async hit(key: string): Promise<number> {
    this.#warnIfLocal();
    try {
      await this.#limiter.consume(key);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      }
      throw rejection;
    }
  }

  /** Forgets a key's attempts (a successful login clears its email's count). */
  async reset(key: string): Promise<void> {
    await this.#limiter.delete(key).catch(() => false);
  }

  #warnIfLocal(): void {
    if (!this.#redis || this.shared) return;
    const now = Date.now();
    if (now - this.#warnedAt < WARN_EVERY_MS) return;
    this.#warnedAt = now;
    this.#logger?.warn(
      { limiter: this.#name, redis: this.#redis.status },
      'shared Redis unavailable: login limits are counted by this replica alone until it is back',
    );
  }
}
