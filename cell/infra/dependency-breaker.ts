/**
 * A circuit breaker for the cell's own data stores (its Postgres and Redis).
 *
 * The first request that fails because a store looks unreachable (a
 * connection refused or reset, a restarting Postgres: `dependency-errors.ts`)
 * makes it probe the stores at once; a failed probe opens it.
 * While it is open the API answers every user request at once with
 * `503 service_unavailable` and `Retry-After: 1`, instead of letting each one
 * queue behind the driver's reconnect attempts for seconds. A probe runs every
 * `probeEveryMs` (`select 1` and `PING`); the first one that succeeds closes
 * the breaker, so recovery follows the store's restart within one probe.
 */
import type { Logger } from '../../lib/logger.ts';

export interface DependencyBreakerOptions {
  /** Checks every store; resolves when all answer. */
  probe: () => Promise<unknown>;
  logger: Logger;
  /** @defaultValue 200 */
  probeEveryMs?: number;
  /** A probe that takes longer fails. @defaultValue 1000 */
  probeTimeoutMs?: number;
  /** Called on every change, for metrics. */
  onChange?: (open: boolean) => void;
}

export class DependencyBreaker {
  #openedAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking = false;
  #closed = false;

  constructor(private readonly options: DependencyBreakerOptions) {}

  get open(): boolean {
    return this.#openedAt !== undefined;
  }

  /**
   * A request failed with what looks like an unreachable store. The breaker
   * checks at once with a probe and opens only if the probe fails too, so an
   * error that merely looks alike (another service's refused connection)
   * never opens it.
   */
  trip(error: unknown): void {
    if (this.#openedAt !== undefined || this.#checking || this.#closed) return;
    this.#checking = true;
    void this.#check().then((ok) => {
      this.#checking = false;
      if (ok || this.#closed || this.#openedAt !== undefined) return;
      this.#openedAt = Date.now();
      this.options.logger.warn(
        { err: error },
        'a data store of this cell is unreachable: answering 503 until a probe succeeds',
      );
      this.options.onChange?.(true);
      this.#schedule();
    });
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#probeWhileOpen(), this.options.probeEveryMs ?? 200);
    this.#timer.unref();
  }

  async #probeWhileOpen(): Promise<void> {
    if (this.#closed) return;
    if (!(await this.#check())) {
      this.#schedule();
      return;
    }
    const openForMs = Date.now() - (this.#openedAt ?? Date.now());
    this.#openedAt = undefined;
    this.options.logger.info({ openForMs }, 'the data stores answer again: breaker closed');
    this.options.onChange?.(false);
  }

  /** Whether every store answers the probe in time. */
  async #check(): Promise<boolean> {
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.options.probe(),
        new Promise((_, reject) => {
          timeout = setTimeout(
            () => reject(new Error('probe timed out')),
            this.options.probeTimeoutMs ?? 1_000,
          );
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timeout);
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
