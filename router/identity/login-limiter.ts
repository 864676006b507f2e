/**
 * Fixed-window attempt counters for login, per client IP and per email.
 * In memory: exact for one router replica; with N replicas an attacker gets at
 * most N times the budget. A shared store (Redis) is the upgrade path.
 */

export interface WindowLimiterOptions {
  limit: number;
  windowMs: number;
  /** @defaultValue 100000 — beyond this many keys, expired windows are swept. */
  maxKeys?: number;
}

export class WindowLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly options: WindowLimiterOptions) {}

  /** Counts one attempt; returns the seconds to wait when over the limit, else 0. */
  hit(key: string, now = Date.now()): number {
    if (this.#windows.size >= (this.options.maxKeys ?? 100_000)) this.sweep(now);
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.options.windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count++;
    if (window.count <= this.options.limit) return 0;
    return Math.max(1, Math.ceil((window.start + this.options.windowMs - now) / 1000));
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }

  sweep(now = Date.now()): void {
    for (const [key, window] of this.#windows) {
      if (now - window.start >= this.options.windowMs) this.#windows.delete(key);
    }
  }
}
