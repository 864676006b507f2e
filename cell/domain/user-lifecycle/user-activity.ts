/**
 * What of a user is running right now, across every API and worker process of
 * the cell: a Redis sorted set per user whose members are running writes and
 * jobs, scored by when they stop counting (so a crashed process never blocks a
 * freeze for longer than its entry's lifetime). A write marks itself BEFORE it
 * reads the user's state, and a freeze sets the state BEFORE it waits here, so
 * a write either sees the freeze or is waited for.
 */
import type { Redis } from 'ioredis';
import { newId } from '../../../lib/ids.ts';

const POLL_MS = 20;

export class UserActivity {
  constructor(
    private readonly redis: Redis,
    /** @defaultValue 'user-activity' */
    private readonly prefix = 'user-activity',
  ) {}

  private key(userId: string): string {
    return `${this.prefix}:${userId}`;
  }

  /** Marks work of `userId` as running for at most `ttlMs`; returns the function that ends it. */
  async begin(userId: string, label: string, ttlMs: number): Promise<() => Promise<void>> {
    const key = this.key(userId);
    const member = `${label}:${newId()}`;
    await this.redis
      .multi()
      .zadd(key, Date.now() + ttlMs, member)
      .pexpire(key, ttlMs)
      .exec();
    return async () => {
      await this.redis.zrem(key, member);
    };
  }

  /** How much of the user's work is running now. */
  async running(userId: string): Promise<number> {
    const key = this.key(userId);
    const [, count] = (await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', Date.now())
      .zcard(key)
      .exec()) as [[Error | null, number], [Error | null, number]];
    return count[1];
  }

  /** Waits until nothing of the user runs, up to `waitMs`; returns what still runs (0 = idle). */
  async waitIdle(userId: string, waitMs: number): Promise<number> {
    const until = Date.now() + waitMs;
    for (;;) {
      const running = await this.running(userId);
      if (running === 0 || Date.now() >= until) return running;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
