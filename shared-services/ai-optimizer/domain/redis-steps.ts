/**
 * Redis in as few round trips as a request allows. A step queues commands from
 * several components on one pipeline, each command's reply as its own promise,
 * and sends them in one socket write. Writes whose outcome the answer does not
 * need (cache fills, budget reconciliation, ledger rows) are sent before the
 * answer goes out but not awaited: one connection serves commands in the order
 * they were sent, so any later command of this process (the next request's
 * lookup, budget reservation or ledger query) still sees them. Their failures
 * are logged and counted, never dropped silently, and `drain()` waits for them
 * at shutdown.
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
 * settles once every reply is in; its own result is not needed.
 */
export function send(pipeline: Pipeline): void {
  pipeline.exec().catch(() => undefined);
}

/** The first error among a pipeline's replies, if any. */
function firstError(results: [Error | null, unknown][] | null): Error | undefined {
  for (const [error] of results ?? []) if (error) return error;
  return undefined;
}

export class WriteBehind {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly onFailure?: (what: string) => void) {}

  /** Writes sent and not yet acknowledged. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Sends `pipeline` now, does not wait for it; a failed command is logged on
   * `logger` with `what` and counted.
   */
  send(what: string, pipeline: Pipeline, logger: Logger): void {
    const write = pipeline.exec().then(
      (results) => {
        const error = firstError(results);
        if (error) this.fail(what, error, logger);
      },
      (error: unknown) => this.fail(what, error, logger),
    );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /** Resolves when every write sent so far is acknowledged (or failed and logged). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private fail(what: string, error: unknown, logger: Logger): void {
    this.onFailure?.(what);
    logger.error({ err: error, write: what }, 'background Redis write failed');
  }
}
