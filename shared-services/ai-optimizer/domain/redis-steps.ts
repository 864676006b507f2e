/**
 * Redis in as few round trips as a request allows. A step queues commands from
 * several components on one pipeline, each command's reply as its own promise,
 * and sends them in one socket write.
 *
 * Writes whose outcome the answer does not need (cache fills, budget
 * reconciliation, ledger rows) are deferred: every request of one event-loop
 * turn adds to one pipeline, sent by `setImmediate` once the turn's answers
 * are written, and never awaited. That takes their socket writes off the
 * answer's path and coalesces them across concurrent requests. Nothing can
 * overtake them: every read of this process (`send`, `beforeRead`) first
 * sends what is deferred, and one connection serves commands in the order they
 * were sent, so the next lookup, budget reservation or ledger query sees them.
 * Failures are logged and counted, never dropped silently; `drain()` waits for
 * all of them at shutdown.
 */
import type { Callback, ChainableCommander } from 'ioredis';
import type { Logger } from '../../../lib/logger.ts';

export type Pipeline = ChainableCommander;

/** Queues one command on `pipeline` (through its callback) and returns a promise of its reply. */
export function reply<T>(queue: (callback: Callback<T>) => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queue((error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

/**
 * Sends a pipeline whose commands carry their own reply promises. `exec()`
 * settles once every reply is in; its own result is not needed. Use
 * {@link WriteBehind.send} where deferred writes may be pending.
 */
export function send(pipeline: Pipeline): void {
  pipeline.exec().catch(() => undefined);
}

interface Deferred {
  what: string;
  logger: Logger;
  queue: (pipeline: Pipeline) => void;
  /** Index of its first and one past its last command in the pipeline. */
  from: number;
  to: number;
}

export class WriteBehind {
  private readonly pending = new Set<Promise<void>>();
  private batch: Deferred[] | undefined;

  /**
   * @param pipeline makes the pipeline of one flush.
   * @param onFailure called once per failed deferred write, with its name.
   */
  constructor(
    private readonly pipeline: () => Pipeline,
    private readonly onFailure?: (what: string) => void,
  ) {}

  /** Writes deferred or sent and not yet acknowledged. */
  get size(): number {
    return this.pending.size + (this.batch ? 1 : 0);
  }

  /**
   * Defers writes to this turn's flush: `queue` adds them to the flush's
   * pipeline when it is sent (so work it needs, like a cache entry's
   * serialization, happens off the answer's path too). A failed command is
   * logged on `logger` with `what` and counted.
   */
  defer(what: string, logger: Logger, queue: (pipeline: Pipeline) => void): void {
    if (!this.batch) {
      this.batch = [];
      setImmediate(() => this.flush());
    }
    this.batch.push({ what, logger, queue, from: 0, to: 0 });
  }

  /** Sends a step's pipeline, after the deferred writes it must not overtake. */
  send(pipeline: Pipeline): void {
    this.flush();
    send(pipeline);
  }

  /** Sends the deferred writes now: call before any read that must see them. */
  readonly beforeRead = (): void => this.flush();

  /** Resolves when every write deferred so far is acknowledged (or failed and logged). */
  async drain(): Promise<void> {
    this.flush();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private flush(): void {
    const items = this.batch;
    if (!items) return;
    this.batch = undefined;
    const pipeline = this.pipeline();
    for (const item of items) {
      item.from = pipeline.length;
      try {
        item.queue(pipeline);
      } catch (error) {
        this.fail(item, error);
      }
      item.to = pipeline.length;
    }
    const write = pipeline.exec().then(
      (results) => {
        for (const item of items) {
          const failed = results?.slice(item.from, item.to).find(([error]) => error);
          if (failed) this.fail(item, failed[0]);
        }
      },
      (error: unknown) => {
        for (const item of items) this.fail(item, error);
      },
    );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  private fail(item: Deferred, error: unknown): void {
    this.onFailure?.(item.what);
    item.logger.error({ err: error, write: item.what }, 'deferred Redis write failed');
  }
}
