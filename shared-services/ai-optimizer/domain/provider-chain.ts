/**
 * The fallback chain: tries each planned model in order. Per provider: a
 * circuit breaker, a per-attempt timeout bounded by the request deadline, and
 * retries of retryable failures honouring `Retry-After`. A model answer that
 * does not parse against the task schema gets one repair turn, then the chain
 * moves on. The embedded provider answers last, instantly and for free.
 */
import type { JobInput, TaskInputs, TaskName, TaskOutputs } from '../../../lib/ai/contract.ts';
import type { Logger } from '../../../lib/logger.ts';
import { type CatalogEntry, costOf, expectedOutputTokens, type ProviderKind } from './catalog.ts';
import {
  type ChatMessage,
  type ChatProvider,
  type ChatResponse,
  ProviderCallError,
} from './chat-providers.ts';
import { type BreakerState, CircuitBreaker } from './circuit-breaker.ts';
import { AllProvidersFailedError } from './errors.ts';
import {
  batchSystemPrompt,
  batchUserPrompt,
  parseAnswer,
  parseBatchAnswer,
  repairPrompt,
  systemPrompt,
  userPrompt,
} from './prompts.ts';
import { runEmbedded } from './run-embedded.ts';

export interface ChainObserver {
  /** One HTTP call that returned (whatever its content), with its cost. */
  onCall?(entry: CatalogEntry, response: ChatResponse, costUsd: number): void;
  onError?(entry: CatalogEntry, reason: string): void;
  onBreakerState?(provider: ProviderKind, state: BreakerState): void;
}

export interface ProviderChainOptions {
  providers: Partial<Record<Exclude<ProviderKind, 'embedded'>, ChatProvider>>;
  logger: Logger;
  /** @defaultValue 1 */
  maxRetries?: number;
  /** Longest Retry-After honoured before moving on. @defaultValue 5_000 */
  maxRetryAfterMs?: number;
  /** @defaultValue 20_000 */
  providerTimeoutMs?: number;
  /** @defaultValue 5 */
  breakerFailures?: number;
  /** @defaultValue 60_000 */
  breakerCooldownMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
  /** @defaultValue setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  observer?: ChainObserver;
}

export interface ChainResult<T> {
  output: T;
  entry: CatalogEntry;
  /** Tokens and cost of every call this request made, failed ones included. */
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Time spent waiting on providers (HTTP calls and Retry-After waits). */
  providerMs: number;
}

interface Spend {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  providerMs: number;
}

const BACKOFF_BASE_MS = 200;

export class ProviderChain {
  private readonly breakers = new Map<ProviderKind, CircuitBreaker>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ProviderChainOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    for (const kind of Object.keys(options.providers) as Exclude<ProviderKind, 'embedded'>[]) {
      this.breakers.set(
        kind,
        new CircuitBreaker({
          failureThreshold: options.breakerFailures ?? 5,
          cooldownMs: options.breakerCooldownMs ?? 60_000,
          now: this.now,
          onStateChange: (state) => {
            options.logger.warn({ provider: kind, state }, 'provider breaker state changed');
            options.observer?.onBreakerState?.(kind, state);
          },
        }),
      );
    }
  }

  breakerState(kind: ProviderKind): BreakerState {
    return this.breakers.get(kind)?.current ?? 'closed';
  }

  /** Whether a planned entry can be called at all (provider configured). */
  isAvailable(entry: CatalogEntry): boolean {
    return entry.provider === 'embedded' || this.options.providers[entry.provider] !== undefined;
  }

  /** One provider, with breaker, timeout and retries. Throws ProviderCallError. */
  private async call(
    entry: CatalogEntry,
    system: string,
    messages: ChatMessage[],
    maxOutputTokens: number,
    deadline: number,
    spend: Spend,
  ): Promise<string> {
    const kind = entry.provider as Exclude<ProviderKind, 'embedded'>;
    const provider = this.options.providers[kind];
    const breaker = this.breakers.get(kind);
    if (!provider || !breaker)
      throw new ProviderCallError('connection', `${kind} is not configured`, { retryable: false });
    const maxRetries = this.options.maxRetries ?? 1;
    for (let attempt = 0; ; attempt++) {
      const remaining = deadline - this.now();
      if (remaining <= 0)
        throw new ProviderCallError('timeout', 'request deadline passed', { retryable: false });
      if (!breaker.tryAcquire())
        throw new ProviderCallError('connection', `${kind} circuit breaker is open`, {
          retryable: false,
        });
      const started = performance.now();
      try {
        const response = await provider.complete({
          model: entry.model,
          system,
          messages,
          maxOutputTokens,
          json: true,
          timeoutMs: Math.min(this.options.providerTimeoutMs ?? 20_000, remaining),
        });
        breaker.onSuccess();
        const cost = costOf(entry, response.inputTokens, response.outputTokens);
        spend.inputTokens += response.inputTokens;
        spend.outputTokens += response.outputTokens;
        spend.costUsd += cost;
        this.options.observer?.onCall?.(entry, response, cost);
        return response.text;
      } catch (error) {
        breaker.onFailure();
        const failure =
          error instanceof ProviderCallError
            ? error
            : new ProviderCallError('connection', String(error), { retryable: true, cause: error });
        this.options.observer?.onError?.(entry, failure.kind);
        if (!failure.retryable || attempt >= maxRetries) throw failure;
        const wait =
          failure.retryAfterMs ?? BACKOFF_BASE_MS * 2 ** attempt * (0.5 + Math.random() / 2);
        if (wait > (this.options.maxRetryAfterMs ?? 5_000) || this.now() + wait >= deadline)
          throw failure;
        await this.sleep(wait);
      } finally {
        spend.providerMs += performance.now() - started;
      }
    }
  }

  /** Runs `task` through `plan` until one model answers validly. */
  async run<T extends TaskName>(
    task: T,
    input: TaskInputs[T],
    plan: readonly CatalogEntry[],
    deadline: number,
    inputTokens: number,
  ): Promise<ChainResult<TaskOutputs[T]>> {
    const spend: Spend = { inputTokens: 0, outputTokens: 0, costUsd: 0, providerMs: 0 };
    const failures: { provider: string; model: string; reason: string }[] = [];
    for (const entry of plan) {
      if (entry.provider === 'embedded') {
        return { output: runEmbedded(task, input), entry, ...spend };
      }
      if (!this.isAvailable(entry)) continue;
      const system = systemPrompt(task);
      const messages: ChatMessage[] = [{ role: 'user', content: userPrompt(task, input) }];
      const maxOutput = expectedOutputTokens(task, inputTokens) * 2;
      try {
        const first = await this.call(entry, system, messages, maxOutput, deadline, spend);
        let parsed = parseAnswer(task, input, first);
        if (!parsed.ok) {
          this.options.observer?.onError?.(entry, 'invalid_output');
          messages.push(
            { role: 'assistant', content: first },
            { role: 'user', content: repairPrompt(parsed.problem) },
          );
          const second = await this.call(entry, system, messages, maxOutput, deadline, spend);
          parsed = parseAnswer(task, input, second);
          if (!parsed.ok) {
            this.options.observer?.onError?.(entry, 'invalid_output');
            failures.push({
              ...label(entry),
              reason: `invalid output after repair: ${parsed.problem}`,
            });
            continue;
          }
        }
        return { output: parsed.value, entry, ...spend };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.options.logger.warn(
          { provider: entry.provider, model: entry.model, reason },
          'provider failed, falling back',
        );
        failures.push({ ...label(entry), reason });
      }
    }
    throw new AllProvidersFailedError(failures);
  }

  /**
   * One call analyzing several jobs on `entry`. `outputs` is undefined when the
   * batch fails in any way; the caller then runs each job through the chain alone.
   */
  async runBatch(
    entry: CatalogEntry,
    jobs: JobInput[],
    deadline: number,
  ): Promise<{ outputs: TaskOutputs['analyze-job'][] | undefined; spend: Spend }> {
    const spend: Spend = { inputTokens: 0, outputTokens: 0, costUsd: 0, providerMs: 0 };
    try {
      const text = await this.call(
        entry,
        batchSystemPrompt(),
        [{ role: 'user', content: batchUserPrompt(jobs) }],
        expectedOutputTokens('analyze-job', 0) * jobs.length * 2,
        deadline,
        spend,
      );
      const parsed = parseBatchAnswer(text, jobs.length);
      if (parsed.ok) return { outputs: parsed.value, spend };
      this.options.observer?.onError?.(entry, 'invalid_output');
      this.options.logger.warn(
        { model: entry.model, problem: parsed.problem },
        'batch answer invalid',
      );
    } catch (error) {
      this.options.logger.warn({ model: entry.model, err: error }, 'batch call failed');
    }
    // A failed batch still cost what it cost: the caller charges it.
    return { outputs: undefined, spend };
  }
}

function label(entry: CatalogEntry): { provider: string; model: string } {
  return { provider: entry.provider, model: entry.model };
}
