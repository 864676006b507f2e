/**
 * The bounded render pool: a fixed number of worker threads (piscina) and an
 * admission limit on waiting tasks. Past the limit a render is refused at once
 * with {@link PoolOverloadedError} instead of queueing without bound; a render
 * that outlives its deadline is aborted (a running worker is terminated and
 * replaced) and fails with {@link RenderTimeoutError}.
 */
import { Piscina } from 'piscina';
import type { DocumentInput, RenderedDocument } from './render/render-document.ts';
import { TextLayerError } from './render/text-layer.ts';
import type { WorkerOutcome } from './render-worker.ts';

export class PoolOverloadedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('render queue is full');
    this.name = 'PoolOverloadedError';
  }
}

export class RenderTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`render did not finish within ${timeoutMs} ms`);
    this.name = 'RenderTimeoutError';
  }
}

export class PoolClosedError extends Error {
  constructor() {
    super('render pool is closed');
    this.name = 'PoolClosedError';
  }
}

export interface RenderPoolOptions {
  /** Worker threads. @defaultValue 2 */
  threads?: number;
  /** Renders allowed to wait for a free thread; more are refused. @defaultValue 64 */
  maxQueue?: number;
  /** Deadline per render, queue wait included. @defaultValue 10_000 */
  timeoutMs?: number;
}

export interface RenderPoolStats {
  threads: number;
  running: number;
  queued: number;
  capacity: number;
}

export interface RenderPool {
  render(input: DocumentInput): Promise<RenderedDocument>;
  stats(): RenderPoolStats;
  /** Waits for in-flight renders, then stops the threads. Idempotent. */
  close(): Promise<void>;
}

/** Worker threads need the TypeScript loader; under tsx they inherit it, under vitest they do not. */
function workerExecArgv(): string[] {
  const hasTsx = process.execArgv.some((arg) => arg.includes('tsx'));
  return hasTsx ? process.execArgv : [...process.execArgv, '--import', 'tsx'];
}

export function createRenderPool(options: RenderPoolOptions = {}): RenderPool {
  const threads = options.threads ?? 2;
  const maxQueue = options.maxQueue ?? 64;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const capacity = threads + maxQueue;
  const piscina = new Piscina<DocumentInput, WorkerOutcome>({
    filename: new URL('./render-worker.ts', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    execArgv: workerExecArgv(),
  });
  piscina.on('error', () => {
    // A worker crash rejects its task; piscina replaces the thread. Nothing else to do here.
  });
  let inFlight = 0;
  let averageMs = 10;
  let closing: Promise<void> | undefined;

  return {
    async render(input) {
      if (closing) throw new PoolClosedError();
      if (inFlight >= capacity) {
        // Roughly how long the current backlog takes to drain, at least one second.
        throw new PoolOverloadedError(
          Math.max(1, Math.ceil((inFlight * averageMs) / threads / 1000)),
        );
      }
      inFlight += 1;
      const signal = AbortSignal.timeout(timeoutMs);
      const start = performance.now();
      try {
        const outcome = await piscina.run(input, { signal });
        averageMs = averageMs * 0.9 + (performance.now() - start) * 0.1;
        if (!outcome.ok) {
          throw new TextLayerError(outcome.textLayer.documentSha256, outcome.textLayer.mismatches);
        }
        return outcome.result;
      } catch (error) {
        if (signal.aborted) throw new RenderTimeoutError(timeoutMs);
        throw error;
      } finally {
        inFlight -= 1;
      }
    },
    stats() {
      const queued = Math.max(0, inFlight - threads);
      return { threads: piscina.threads.length, running: inFlight - queued, queued, capacity };
    },
    close() {
      closing ??= piscina.close();
      return closing;
    },
  };
}
