/**
 * Redis in as few round trips as a request allows. A step issues commands
 * from several components straight on the one shared connection, in one
 * synchronous run with the socket corked: ioredis sends each command without
 * waiting for earlier replies, so the step's commands leave in one write and
 * come back in one round trip, each reply as its own promise.
 *
 * No ioredis `Pipeline` objects: each defines a per-instance accessor, which
 * gives every pipeline its own hidden class. V8 holds those weakly from the
 * shared transition tree, and its young-generation collector keeps weakly
 * held objects alive, so each pipeline's objects were promoted and copied:
 * about 1 MB per scavenge and 3 ms pauses in the optimizer, the bulk of its
 * overhead p99 (measured with `--trace-gc-nvp`; plain commands promote
 * under 0.1 MB).
 *
 * Writes whose outcome the answer does not need (cache fills, budget
 * reconciliation, ledger rows) are deferred: every request of one event-loop
 * turn adds to one flush, sent by `setImmediate` once the turn's answers are
 * written, and never awaited. That takes their socket writes off the answer's
 * path and coalesces them across concurrent requests. Nothing can overtake
 * them: every read of this process (`step`, `beforeRead`) first sends what is
 * deferred, and one connection serves commands in the order they were sent,
 * so the next lookup, budget reservation or ledger query sees them. Failures
 * are logged and counted, never dropped silently; `drain()` waits for all of
 * them at shutdown.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../../lib/logger.ts';

interface Deferred {
  what: string;
  logger: Logger;
  write: () => Promise<unknown>;
}

export class WriteBehind {
  private readonly pending = new Set<Promise<void>>();
  private batch: Deferred[] | undefined;

  /**
   * @param redis the connection every step and deferred write uses.
   * @param onFailure called once per failed deferred write, with its name.
   */
  constructor(
    private readonly redis: Redis,
    private readonly onFailure?: (what: string) => void,
  ) {}

  /** Writes deferred or sent and not yet acknowledged. */
  get size(): number {
    return this.pending.size + (this.batch ? 1 : 0);
  }

  /**
   * Defers writes to this turn's flush: `write` issues its commands when the
   * flush is sent (so work it needs, like a cache entry's serialization,
   * happens off the answer's path too) and returns a promise of their
   * replies. A failure is logged on `logger` with `what` and counted.
   */
  defer(what: string, logger: Logger, write: () => Promise<unknown>): void {
    if (!this.batch) {
      this.batch = [];
      setImmediate(() => this.flush());
    }
    this.batch.push({ what, logger, write });
  }

  /**
   * Runs `issue`, which sends one step's commands, after the deferred writes
   * it must not overtake, and sends them together. Returns what `issue`
   * returns (the replies' promises).
   */
  step<T>(issue: () => T): T {
    return this.corked(() => {
      this.flushNow();
      return issue();
    });
  }

  /** Sends the deferred writes now: call before any read that must see them. */
  readonly beforeRead = (): void => this.flush();

  /** Resolves when every write deferred so far is acknowledged (or failed and logged). */
  async drain(): Promise<void> {
    this.flush();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private flush(): void {
    if (this.batch) this.corked(() => this.flushNow());
  }

  private flushNow(): void {
    const items = this.batch;
    if (!items) return;
    this.batch = undefined;
    for (const item of items) {
      let written: Promise<unknown>;
      try {
        written = item.write();
      } catch (error) {
        written = Promise.reject(error);
      }
      const settled = written.then(
        () => undefined,
        (error: unknown) => this.fail(item, error),
      );
      this.pending.add(settled);
      void settled.finally(() => this.pending.delete(settled));
    }
  }

  /**
   * Runs `fn` with the connection's socket corked, so the commands it issues
   * leave in one write. Before the connection is ready, commands wait in
   * ioredis's offline queue and there is nothing to cork.
   */
  private corked<T>(fn: () => T): T {
    const socket = this.redis.status === 'ready' ? this.redis.stream : undefined;
    socket?.cork();
    try {
      return fn();
    } finally {
      socket?.uncork();
    }
  }

  private fail(item: Deferred, error: unknown): void {
    this.onFailure?.(item.what);
    item.logger.error({ err: error, write: item.what }, 'deferred Redis write failed');
  }
}
