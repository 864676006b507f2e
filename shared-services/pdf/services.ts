/**
 * The PDF service's dependencies, built once at boot: config, logger, metrics
 * and the render service over the bounded worker pool.
 */
import type { Logger } from '../../lib/logger.ts';
import { createMetrics, type Metrics } from '../../lib/metrics.ts';
import type { PdfConfig } from './config.ts';
import { createRenderPool, type RenderPool } from './pool.ts';
import { RenderService } from './render-service.ts';

export interface PdfServices {
  config: PdfConfig;
  logger: Logger;
  metrics: Metrics;
  pool: RenderPool;
  renderer: RenderService;
  /** Stops the pool; idempotent. */
  close(): Promise<void>;
}

export function createPdfServices(config: PdfConfig, logger: Logger): PdfServices {
  const metrics = createMetrics({ service: 'pdf' });
  const pool = createRenderPool({
    threads: config.threads,
    maxQueue: config.maxQueue,
    timeoutMs: config.renderTimeoutMs,
  });
  const renderer = new RenderService(pool, metrics, logger);
  return { config, logger, metrics, pool, renderer, close: () => pool.close() };
}
