/**
 * Graceful shutdown: cleanups registered in start order run in reverse order on
 * SIGTERM/SIGINT. `close()` is idempotent and runs every cleanup even when one
 * fails or hangs past its bound.
 */
import type { Logger } from './logger.ts';

export interface Shutdown {
  /** Registers a cleanup; cleanups run last-registered first. */
  add(name: string, cleanup: () => unknown | Promise<unknown>): void;
  /** Runs every cleanup once; later calls return the same promise. */
  close(): Promise<void>;
  /** Installs SIGTERM/SIGINT handlers that close and then exit. */
  installSignalHandlers(): void;
}

export interface ShutdownOptions {
  /** Bound on each cleanup. @defaultValue 10_000 */
  timeoutMs?: number;
}

export function createShutdown(logger: Logger, options: ShutdownOptions = {}): Shutdown {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cleanups: { name: string; cleanup: () => unknown | Promise<unknown> }[] = [];
  let closing: Promise<void> | undefined;

  async function runOne(name: string, cleanup: () => unknown | Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(cleanup),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
          timer.unref();
        }),
      ]);
      return true;
    } catch (error) {
      logger.error({ err: error, cleanup: name }, 'cleanup failed');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  const shutdown: Shutdown = {
    add(name, cleanup) {
      cleanups.push({ name, cleanup });
    },
    close() {
      closing ??= (async () => {
        for (const { name, cleanup } of [...cleanups].reverse()) await runOne(name, cleanup);
      })();
      return closing;
    },
    installSignalHandlers() {
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'shutting down');
        void shutdown.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    },
  };
  return shutdown;
}
