/**
 * Runs the migrator wherever it is hosted (inside each router replica, or as
 * the standalone router/migration/main.ts): at most one runner at a time
 * across the platform, by a Postgres advisory lock held on a reserved
 * connection. A runner that dies loses its connection and with it the lock,
 * so another one takes over and resumes from the recorded phases.
 */
import type postgres from 'postgres';
import type { Logger } from '../../lib/logger.ts';
import type { Migrator } from './migrator.ts';

/** pg_advisory_lock key of the migrator ('cellular-migrator'). */
const LOCK_KEY = 0x63656c6c;

export interface MigrationRunnerOptions {
  /** How often an idle runner looks for work. @defaultValue 1000 */
  intervalMs?: number;
}

export class MigrationRunner {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;
  #again = false;
  readonly #abort = new AbortController();

  constructor(
    private readonly sql: postgres.Sql,
    private readonly migrator: Migrator,
    private readonly logger: Logger,
    private readonly options: MigrationRunnerOptions = {},
  ) {}

  /** Polls for work in the background. */
  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 1_000);
    this.#timer.unref();
  }

  /** Looks for work now (after an operation was created). */
  wake(): void {
    void this.tick();
  }

  /**
   * One turn: take the lock, run the current operation to its end and the due
   * purges, let go. Resolves false when another runner holds the lock.
   */
  tick(): Promise<boolean> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      let ran = false;
      try {
        do {
          this.#again = false;
          ran = await this.#turn();
        } while (this.#again && !this.#abort.signal.aborted);
      } catch (error) {
        this.logger.error({ err: error }, 'migration runner turn failed');
      } finally {
        this.#running = undefined;
      }
      return ran;
    })();
    return this.#running;
  }

  async #turn(): Promise<boolean> {
    if (this.#abort.signal.aborted) return false;
    const connection = await this.sql.reserve();
    try {
      const [row] = await connection<{ locked: boolean }[]>`
        select pg_try_advisory_lock(${LOCK_KEY}) as locked`;
      if (!row?.locked) return false;
      try {
        await this.migrator.runCurrent(this.#abort.signal);
        if (!this.#abort.signal.aborted) await this.migrator.purgeDue();
      } finally {
        await connection`select pg_advisory_unlock(${LOCK_KEY})`.catch(() => {});
      }
      return true;
    } finally {
      connection.release();
    }
  }

  /** Stops looking for work and abandons the current turn at its next step boundary. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#abort.abort();
    await this.#running?.catch(() => {});
  }
}
