/**
 * The `JobAnalyzer` implementations: the AI optimizer over HTTP, the cached
 * analysis of a near-identical job, and the embedded analyzer of `lib/ai`
 * in-process. `FallbackJobAnalyzer` tries them in order (optimizer with a
 * timeout, then cached, then embedded), so discovery and workflows never stall.
 */
import type postgres from 'postgres';
import { request } from 'undici';
import { z } from 'zod';
import { jobAnalysisSchema, TASK_PATHS } from '../../../lib/ai/contract.ts';
import { analyzeJob } from '../../../lib/ai/embedded/index.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { AnalyzeJobInput, AnalyzeJobResult, JobAnalysis, JobAnalyzer } from './contract.ts';

/** Only the analysis is read; `meta` is the optimizer's business. */
const responseSchema = z.object({ analysis: jobAnalysisSchema });
/** The task's input limit (lib/ai/contract.ts `jobInputSchema`). */
const MAX_DESCRIPTION = 100_000;

/** The task input of lib/ai from the cell's job row. */
export function toJobInput(input: AnalyzeJobInput) {
  return {
    title: input.title.slice(0, 300),
    ...(input.company ? { company: input.company.slice(0, 300) } : {}),
    description: input.description.slice(0, MAX_DESCRIPTION) || input.title,
    ...(input.location ? { location: input.location.slice(0, 300) } : {}),
  };
}

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
    this.url = new URL(TASK_PATHS['analyze-job'], options.baseUrl).toString();
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
      body: JSON.stringify({ job: toJobInput(input) }),
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
    return { analysis: analyzeJob(toJobInput(input)), source: 'embedded' };
  }
}

/**
 * The optimizer's latest analysis of a job with the same title and company,
 * case and spacing ignored (`$1`, `$2`: the names as {@link normalize} gives
 * them). Its expressions are those of the index
 * `jobs_optimizer_analysis_names_idx` (migration 0020): one index lookup, not a
 * read of every job of the cell (a test checks the plan).
 */
export const CACHED_ANALYSIS_QUERY = `
  select analysis from jobs
  where analysis is not null and analysis_source = 'optimizer'
    and lower(btrim(regexp_replace(title, '[[:space:]]+', ' ', 'g'))) = $1
    and lower(btrim(regexp_replace(company, '[[:space:]]+', ' ', 'g'))) = $2
  order by analyzed_at desc limit 1`;

/**
 * The stored analysis of a near-identical job ({@link CACHED_ANALYSIS_QUERY}),
 * analyzed by the optimizer. Throws when there is none.
 */
export class CachedJobAnalyzer implements JobAnalyzer {
  constructor(private readonly sql: postgres.Sql) {}

  async analyze(input: AnalyzeJobInput): Promise<AnalyzeJobResult> {
    const [row] = await this.sql.unsafe<{ analysis: JobAnalysis }[]>(
      CACHED_ANALYSIS_QUERY,
      [normalize(input.title), normalize(input.company)],
      { prepare: true },
    );
    const parsed = row ? jobAnalysisSchema.safeParse(row.analysis) : undefined;
    if (!parsed?.success) throw new Error('no cached analysis of a near-identical job');
    return { analysis: parsed.data, source: 'cached' };
  }
}

/** Names compared case and spacing ignored, as the query's expressions do. */
export function normalize(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Each analyzer in order; the first answer wins, the last one's error is thrown. */
export class FallbackJobAnalyzer implements JobAnalyzer {
  private readonly chain: JobAnalyzer[];
  constructor(
    primary: JobAnalyzer,
    fallbacks: JobAnalyzer | JobAnalyzer[],
    private readonly logger: Logger,
  ) {
    this.chain = [primary, ...(Array.isArray(fallbacks) ? fallbacks : [fallbacks])];
  }

  async analyze(
    input: AnalyzeJobInput,
    context: { userId: string | null },
  ): Promise<AnalyzeJobResult> {
    let lastError: unknown;
    for (const [index, analyzer] of this.chain.entries()) {
      try {
        return await analyzer.analyze(input, context);
      } catch (error) {
        lastError = error;
        if (index === 0) {
          this.logger.warn(
            { err: error },
            'AI optimizer unavailable for analyze-job; falling back',
          );
        }
      }
    }
    throw lastError;
  }
}
