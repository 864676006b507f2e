/**
 * The render domain service: sends a validated request to the pool and records
 * what happened (outcome, duration, uncovered characters, pool occupancy).
 */
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { Logger } from '../../lib/logger.ts';
import type { Metrics } from '../../lib/metrics.ts';
import { PoolOverloadedError, type RenderPool, RenderTimeoutError } from './pool.ts';
import type { DocumentInput, RenderedDocument } from './render/render-document.ts';
import { TextLayerError } from './render/text-layer.ts';

export class RenderService {
  private readonly renders: Counter<'template' | 'outcome' | 'format'>;
  private readonly duration: Histogram<'template'>;
  private readonly uncovered: Counter<'template'>;
  private readonly textLayerRefusals: Counter<'template'>;
  private readonly inFlight: Gauge<'state'>;

  constructor(
    private readonly pool: RenderPool,
    metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.renders = metrics.counter(
      'pdf_renders_total',
      'Renders by template, outcome and format (pdf, docx, txt)',
      ['template', 'outcome', 'format'],
    );
    this.duration = metrics.histogram(
      'pdf_render_duration_seconds',
      'Time from admission to finished PDF, queue wait included',
      ['template'],
    );
    this.uncovered = metrics.counter(
      'pdf_uncovered_code_points_total',
      'Code points replaced by U+FFFD because no embedded font covers them',
      ['template'],
    );
    this.textLayerRefusals = metrics.counter(
      'pdf_text_layer_mismatches_total',
      'Documents refused because a glyph would not extract as the text it was drawn for',
      ['template'],
    );
    this.inFlight = metrics.gauge('pdf_pool_tasks', 'Render tasks in the pool', ['state']);
  }

  private observePool(): void {
    const stats = this.pool.stats();
    this.inFlight.set({ state: 'running' }, stats.running);
    this.inFlight.set({ state: 'queued' }, stats.queued);
  }

  async render(input: DocumentInput): Promise<RenderedDocument> {
    const { template } = input;
    const format = input.format ?? 'pdf';
    const stop = this.duration.startTimer({ template });
    try {
      const promise = this.pool.render(input);
      this.observePool();
      const result = await promise;
      stop();
      this.renders.inc({ template, outcome: 'ok', format });
      if (result.uncovered.length > 0) this.uncovered.inc({ template }, result.uncovered.length);
      return result;
    } catch (error) {
      if (error instanceof TextLayerError) {
        this.textLayerRefusals.inc({ template });
        this.logger.error(
          { documentSha256: error.documentSha256, mismatches: error.mismatches, template },
          'refused a PDF whose text layer does not match its text',
        );
      }
      const outcome =
        error instanceof PoolOverloadedError
          ? 'overloaded'
          : error instanceof RenderTimeoutError
            ? 'timeout'
            : error instanceof TextLayerError
              ? 'text_layer_mismatch'
              : 'error';
      this.renders.inc({ template, outcome, format });
      throw error;
    } finally {
      this.observePool();
    }
  }
}
