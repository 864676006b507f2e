/**
 * Tailoring providers: the AI optimizer's `tailor-resume` task over HTTP and
 * the embedded deterministic `tailorResumeWithRewrites` of lib/ai. Both return
 * the variant with the citations of its rewritten texts. `FallbackResumeTailor`
 * asks the optimizer and falls back to the embedded one on any error; when
 * the optimizer keeps producing variants that fail verification, it is
 * bypassed for a cool-down and the embedded provider tailors alone.
 */
import { request } from 'undici';
import {
  type Citation,
  type JobAnalysis,
  type JsonResume,
  TASK_PATHS,
  type TailorStrategy,
  tailorResumeResponseSchema,
} from '../../../lib/ai/contract.ts';
import { tailorResumeWithRewrites } from '../../../lib/ai/embedded/index.ts';
import type { Logger } from '../../../lib/logger.ts';

/** Who produced a variant: the optimizer, or the embedded deterministic provider. */
export type VariantSource = 'optimizer' | 'embedded';

export interface TailorInput {
  profile: JsonResume;
  analysis: JobAnalysis;
  strategy: TailorStrategy;
}

export interface TailoredVariant {
  variant: JsonResume;
  /** The profile items each rewritten text of the variant restates. */
  citations: Citation[];
  source: VariantSource;
}

export interface ResumeTailor {
  tailor(input: TailorInput, context: { userId: string }): Promise<TailoredVariant>;
  /** Tells the tailor whether a variant it produced passed the verifier. */
  reportVerification?(source: VariantSource, ok: boolean): void;
}

export class EmbeddedResumeTailor implements ResumeTailor {
  async tailor(input: TailorInput): Promise<TailoredVariant> {
    return {
      ...tailorResumeWithRewrites(input.profile, input.analysis, input.strategy),
      source: 'embedded',
    };
  }
}

export interface HttpResumeTailorOptions {
  baseUrl: string;
  cellId: string;
  /** @defaultValue 20_000 */
  timeoutMs?: number;
}

/**
 * Posts one task to the AI optimizer for a user of this cell and returns its
 * parsed JSON answer; throws on a network failure, a timeout or any status but 200.
 */
export async function postOptimizerTask(
  url: string,
  input: unknown,
  context: { cellId: string; userId: string; timeoutMs?: number },
): Promise<unknown> {
  const timeoutMs = context.timeoutMs ?? 20_000;
  const res = await request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-cell-id': context.cellId,
      'x-user-id': context.userId,
    },
    body: JSON.stringify(input),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`AI optimizer answered ${res.statusCode}`);
  return JSON.parse(text);
}

/** `POST {AI_OPTIMIZER_URL}/v1/tasks/tailor-resume`; throws on any failure. */
export class HttpResumeTailor implements ResumeTailor {
  private readonly url: string;
  constructor(private readonly options: HttpResumeTailorOptions) {
    this.url = new URL(TASK_PATHS['tailor-resume'], options.baseUrl).toString();
  }

  async tailor(input: TailorInput, context: { userId: string }): Promise<TailoredVariant> {
    const answer = await postOptimizerTask(this.url, input, {
      cellId: this.options.cellId,
      userId: context.userId,
      timeoutMs: this.options.timeoutMs,
    });
    const parsed = tailorResumeResponseSchema
      .pick({ variant: true, citations: true })
      .parse(answer);
    return { variant: parsed.variant, citations: parsed.citations, source: 'optimizer' };
  }
}

export interface FallbackResumeTailorOptions {
  /** Consecutive failing variants before the primary is bypassed. @defaultValue 3 */
  failureThreshold?: number;
  /** How long it is bypassed. @defaultValue 300_000 */
  cooldownMs?: number;
  now?: () => number;
}

/** The primary provider, the embedded one on error or while the primary is bypassed. */
export class FallbackResumeTailor implements ResumeTailor {
  private consecutiveFailures = 0;
  private bypassUntil = 0;
  private readonly embedded = new EmbeddedResumeTailor();

  constructor(
    private readonly primary: ResumeTailor,
    private readonly logger: Logger,
    private readonly options: FallbackResumeTailorOptions = {},
  ) {}

  /** Whether the primary is being bypassed because its variants kept failing verification. */
  get bypassed(): boolean {
    return (this.options.now ?? Date.now)() < this.bypassUntil;
  }

  async tailor(input: TailorInput, context: { userId: string }): Promise<TailoredVariant> {
    if (this.bypassed) return this.embedded.tailor(input);
    try {
      return await this.primary.tailor(input, context);
    } catch (error) {
      this.logger.warn({ err: error }, 'tailor-resume failed at the provider; using embedded');
      return this.embedded.tailor(input);
    }
  }

  reportVerification(source: VariantSource, ok: boolean): void {
    if (source === 'embedded') return;
    if (ok) {
      this.consecutiveFailures = 0;
      return;
    }
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures >= (this.options.failureThreshold ?? 3)) {
      this.consecutiveFailures = 0;
      this.bypassUntil = (this.options.now ?? Date.now)() + (this.options.cooldownMs ?? 300_000);
      this.logger.warn(
        { until: new Date(this.bypassUntil).toISOString() },
        'tailoring provider keeps producing unverifiable variants; using the embedded provider',
      );
    }
  }
}
