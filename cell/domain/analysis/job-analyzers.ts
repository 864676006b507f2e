/**
 * The two `JobAnalyzer` implementations: the AI optimizer over HTTP, and the
 * embedded analyzer in-process. `FallbackJobAnalyzer` tries the optimizer with
 * a short timeout and falls back to the embedded one, so discovery never stalls.
 */
import { request } from 'undici';
import { z } from 'zod';
import type { Logger } from '../../../lib/logger.ts';
import type { AnalyzeJobInput, AnalyzeJobResult, JobAnalyzer } from './contract.ts';
import { analyzeJob } from './embedded-analyzer.ts';

const analysisSchema = z.object({
  title: z.string(),
  seniority: z.string(),
  mustHave: z.array(z.string()),
  niceToHave: z.array(z.string()),
  keywords: z.array(z.string()),
  yearsMin: z.number().nullable(),
  location: z.string().nullable(),
  remote: z.boolean().nullable(),
});
const responseSchema = z.object({ analysis: analysisSchema });

export interface HttpJobAnalyzerOptions {
  /** Base URL of the AI optimizer, e.g. `http://127.0.0.1:8091`. */
  baseUrl: string;
  cellId: string;
  /** @defaultValue 10_000 */
  timeoutMs?: number;
}

/** `POST {AI_OPTIMIZER_URL}/v1/tasks/analyze-job`; throws on any failure. */
export class HttpJobAnalyzer implements JobAnalyzer {
  private readonly url: string;
  constructor(private readonly options: HttpJobAnalyzerOptions) {
    this.url = new URL('/v1/tasks/analyze-job', options.baseUrl).toString();
  }

  async analyze(
    input: AnalyzeJobInput,
    context: { userId: string | null },
  ): Promise<AnalyzeJobResult> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const res = await request(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-cell-id': this.options.cellId,
        ...(context.userId ? { 'x-user-id': context.userId } : {}),
      },
      body: JSON.stringify({ job: input }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      throw new Error(`AI optimizer answered ${res.statusCode}`);
    }
    const parsed = responseSchema.parse(JSON.parse(text));
    return { analysis: parsed.analysis, source: 'optimizer' };
  }
}

export class EmbeddedJobAnalyzer implements JobAnalyzer {
  async analyze(input: AnalyzeJobInput): Promise<AnalyzeJobResult> {
    return { analysis: analyzeJob(input), source: 'embedded' };
  }
}

/** The optimizer first; on any error, the embedded analyzer. */
export class FallbackJobAnalyzer implements JobAnalyzer {
  constructor(
    private readonly primary: JobAnalyzer,
    private readonly fallback: JobAnalyzer,
    private readonly logger: Logger,
  ) {}

  async analyze(
    input: AnalyzeJobInput,
    context: { userId: string | null },
  ): Promise<AnalyzeJobResult> {
    try {
      return await this.primary.analyze(input, context);
    } catch (error) {
      this.logger.warn({ err: error }, 'AI optimizer unavailable for analyze-job; using embedded');
      return this.fallback.analyze(input, context);
    }
  }
}
