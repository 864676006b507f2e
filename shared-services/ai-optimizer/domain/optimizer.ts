/**
 * The AI optimizer's domain service: one entry point per task request. Order
 * of business: single-flight, exact cache, near-duplicate cache (analyze-job),
 * budget reservation, the provider chain (through the batcher for
 * analyze-job), budget reconciliation, caching, and one ledger row.
 *
 * Redis is met in at most two round trips before the provider: the exact
 * lookup and the near-duplicate band lookup together (the prompt's tokens are
 * counted meanwhile), then, on a miss, the candidate postings and the budget
 * reservation together. Reconciliation, cache fills and the ledger row are
 * deferred writes, sent right after the answer and not awaited, and before
 * any later command of this process (see redis-steps.ts).
 */

import type {
  CacheKind,
  JobAnalysis,
  TaskInputs,
  TaskMeta,
  TaskName,
  TaskOutputs,
} from '../../../lib/ai/contract.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { AiMetrics } from './ai-metrics.ts';
import type { AnalyzeBatcher } from './analyze-batcher.ts';
import type { Budgets, Reservation } from './budget.ts';
import {
  type CatalogEntry,
  type ChainGroup,
  costOf,
  difficultyTier,
  expectedOutputTokens,
  planChain,
  type Tier,
} from './catalog.ts';
import { BudgetExceededError } from './errors.ts';
import { type ExactCache, exactKey } from './exact-cache.ts';
import type { Ledger } from './ledger.ts';
import {
  fingerprintJob,
  type JobFingerprint,
  type NearDuplicateCache,
} from './near-duplicate-cache.ts';
import { systemPrompt, userPrompt } from './prompts.ts';
import type { ProviderChain } from './provider-chain.ts';
import type { WriteBehind } from './redis-steps.ts';
import { SingleFlight } from './single-flight.ts';
import type { StageTimer } from './stage-timer.ts';
import { countPromptTokens } from './tokens.ts';

/**
 * A task whose answer changed shape keys its cache apart from older answers:
 * tailor-resume answers carry citations since v2.
 */
const OUTPUT_VERSION: Partial<Record<TaskName, string>> = { 'tailor-resume': '@v2' };

export interface RequestContext {
  cellId: string;
  userId: string;
  requestId: string;
  logger: Logger;
  /** Where the request's stage timings go (Server-Timing); none: not timed. */
  timer?: StageTimer;
}

export interface TaskResult<T extends TaskName> {
  output: TaskOutputs[T];
  meta: TaskMeta;
  /** Time spent waiting on providers, for Server-Timing and the overhead benchmark. */
  providerMs: number;
  batchWaitMs: number;
}

interface Resolved {
  output: unknown;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  cache: CacheKind;
  providerMs: number;
  batchWaitMs: number;
}

export interface OptimizerDeps {
  /** Sends each step's commands together, and the writes the answer does not wait for. */
  writes: WriteBehind;
  catalog: readonly CatalogEntry[];
  chainGroups: readonly ChainGroup[];
  chain: ProviderChain;
  batcher: AnalyzeBatcher;
  exactCache: ExactCache;
  nearCache: NearDuplicateCache;
  budgets: Budgets;
  ledger: Ledger;
  metrics: AiMetrics;
  logger: Logger;
  requestTimeoutMs: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

export class Optimizer {
  private readonly flights = new SingleFlight<Resolved>();
  private readonly now: () => number;

  constructor(private readonly deps: OptimizerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The models a request would try, in order (for tests and the bench). */
  plan<T extends TaskName>(task: T, input: TaskInputs[T]): { tier: Tier; plan: CatalogEntry[] } {
    const tier = difficultyTier(task, input);
    const chars = systemPrompt(task).length + JSON.stringify(input).length;
    const inputTokens = Math.ceil(chars / 3.6);
    const plan = planChain(
      this.deps.catalog,
      this.deps.chainGroups,
      tier,
      inputTokens,
      expectedOutputTokens(task, inputTokens),
    ).filter((entry) => this.deps.chain.isAvailable(entry));
    return { tier, plan };
  }

  async run<T extends TaskName>(
    task: T,
    input: TaskInputs[T],
    ctx: RequestContext,
  ): Promise<TaskResult<T>> {
    const started = performance.now();
    const timer = ctx.timer;
    const { tier, plan } = this.plan(task, input);
    const key = exactKey(`${task}${OUTPUT_VERSION[task] ?? ''}`, tier, input);
    timer?.lap('key', started);
    let resolved: Resolved;
    let shared = false;
    try {
      const flight = this.flights.run(key, () => this.resolve(task, input, ctx, key, tier, plan));
      shared = flight.shared;
      try {
        const waitStarted = performance.now();
        resolved = await flight.promise;
        if (shared && timer) {
          // A follower waited on the leader's provider call: that part is provider time.
          const waited = performance.now() - waitStarted;
          const provider = Math.min(waited, resolved.providerMs);
          const batch = Math.min(waited - provider, resolved.batchWaitMs);
          timer.add('provider', provider);
          timer.add('batch', batch);
          timer.add('flight', waited - provider - batch);
        }
      } catch (error) {
        // A budget belongs to the leader's user: a follower tries on its own account.
        if (!(shared && error instanceof BudgetExceededError)) throw error;
        shared = false;
        resolved = await this.resolve(task, input, ctx, key, tier, plan);
      }
    } catch (error) {
      this.deps.metrics.requests.inc({ task, outcome: 'error', cache: 'none' });
      throw error;
    }
    const cache: CacheKind = shared
      ? resolved.cache === 'none'
        ? 'singleflight'
        : resolved.cache
      : resolved.cache;
    const paid = cache === 'none';
    const meta: TaskMeta = {
      provider: resolved.provider,
      model: resolved.model,
      inputTokens: paid ? resolved.inputTokens : 0,
      outputTokens: paid ? resolved.outputTokens : 0,
      costUsd: paid ? resolved.costUsd : 0,
      cache,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
    };
    if (cache !== 'none') this.deps.metrics.cacheHits.inc({ kind: cache });
    this.deps.metrics.requests.inc({ task, outcome: 'ok', cache });
    const ledgerStarted = performance.now();
    const row = { cellId: ctx.cellId, userId: ctx.userId, requestId: ctx.requestId, task, ...meta };
    this.deps.writes.defer('ledger', ctx.logger, () => this.deps.ledger.record(row));
    timer?.lap('ledger', ledgerStarted);
    let output = resolved.output as TaskOutputs[T];
    if (task === 'analyze-job' && cache === 'near') {
      // A repost may retitle the job; the title is copied, never inferred.
      const { job } = input as TaskInputs['analyze-job'];
      output = {
        ...(output as JobAnalysis),
        title: job.title.trim().replace(/\s+/g, ' '),
      } as TaskOutputs[T];
    }
    return {
      output,
      meta,
      providerMs: shared ? 0 : resolved.providerMs,
      batchWaitMs: shared ? 0 : resolved.batchWaitMs,
    };
  }

  private async resolve<T extends TaskName>(
    task: T,
    input: TaskInputs[T],
    ctx: RequestContext,
    key: string,
    tier: Tier,
    plan: CatalogEntry[],
  ): Promise<Resolved> {
    const { writes, exactCache, nearCache, budgets } = this.deps;
    const timer = ctx.timer;
    const deadline = this.now() + this.deps.requestTimeoutMs;
    const base = { inputTokens: 0, outputTokens: 0, costUsd: 0, providerMs: 0, batchWaitMs: 0 };
    let mark = performance.now();

    // Round trip 1: the exact answer and, for analyze-job, the postings sharing a MinHash band.
    let fingerprint: JobFingerprint | undefined;
    if (task === 'analyze-job') {
      fingerprint = fingerprintJob((input as TaskInputs['analyze-job']).job);
      mark = timer?.lap('fingerprint', mark) ?? mark;
    }
    const [exact, candidates] = await Promise.all(
      writes.step(
        () =>
          [
            exactCache.get<TaskOutputs[T]>(key),
            fingerprint ? nearCache.candidates(fingerprint, tier) : [],
          ] as const,
      ),
    );
    mark = timer?.lap('lookup', mark) ?? mark;
    if (exact) return { ...base, ...exact, cache: 'exact' };

    // A miss: the budget estimate for the first planned model (hits never need it).
    const first = plan[0];
    let inputTokens = 0;
    let estimateUsd = 0;
    if (first && first.provider !== 'embedded') {
      inputTokens = countPromptTokens(systemPrompt(task), userPrompt(task, input), first);
      estimateUsd = costOf(first, inputTokens, expectedOutputTokens(task, inputTokens));
      mark = timer?.lap('tokens', mark) ?? mark;
    }

    // Round trip 2: the candidate postings and the budget reservation. The reservation is
    // made before the candidates are checked; a near hit (free) releases it unawaited.
    const [docsReply, reservationReply] = writes.step(
      () =>
        [
          fingerprint && candidates.length > 0 ? nearCache.documents(candidates) : undefined,
          estimateUsd > 0 ? budgets.reserve(ctx.cellId, ctx.userId, estimateUsd) : undefined,
        ] as const,
    );
    // A budget refusal matters only on a miss; until then it must not surface as unhandled.
    reservationReply?.catch(() => undefined);
    mark = timer?.lap(docsReply ? 'near' : 'reserve', mark) ?? mark;
    // While Redis answers: the cheap analyzer's reading, to compare with the candidates.
    // Without candidates it is needed only for the cache fill, after the answer.
    if (fingerprint && docsReply) {
      void fingerprint.guard;
      mark = timer?.lap('fingerprint', mark) ?? mark;
    }
    if (fingerprint && docsReply) {
      const near = nearCache.best(fingerprint, await docsReply);
      mark = timer?.lap('near', mark) ?? mark;
      if (near) {
        // The reservation's reply came in the same round trip; giving it back is not awaited.
        if (reservationReply)
          await reservationReply.then(
            (held) => this.release(held, ctx),
            () => undefined, // refused: nothing was reserved, and a near hit is free
          );
        return {
          ...base,
          output: near.analysis,
          provider: near.provider,
          model: near.model,
          cache: 'near',
        };
      }
    }
    let reservation: Reservation | undefined;
    if (reservationReply) {
      try {
        reservation = await reservationReply;
      } catch (error) {
        if (error instanceof BudgetExceededError)
          this.deps.metrics.budgetRejections.inc({ scope: error.scope });
        throw error;
      } finally {
        mark = timer?.lap('reserve', mark) ?? mark;
      }
    }

    let result: Awaited<ReturnType<ProviderChain['run']>> & { batchWaitMs?: number };
    try {
      result =
        task === 'analyze-job' && this.deps.batcher.accepts(plan)
          ? await this.deps.batcher.submit(
              (input as TaskInputs['analyze-job']).job,
              plan,
              deadline,
              inputTokens,
            )
          : await this.deps.chain.run(task, input, plan, deadline, inputTokens);
    } catch (error) {
      // Whatever the failed calls cost was recorded by the observer; release the estimate.
      if (reservation) this.release(reservation, ctx);
      throw error;
    }
    if (timer) {
      const batch = result.batchWaitMs ?? 0;
      timer.add('provider', result.providerMs);
      timer.add('batch', batch);
      mark = timer.lap('chain', mark);
      timer.add('chain', -result.providerMs - batch);
    }
    if (result.costUsd > 0)
      this.deps.metrics.spend.inc(
        { cell: ctx.cellId, provider: result.entry.provider },
        result.costUsd,
      );

    // The real cost and the caches: deferred writes (see redis-steps.ts), not awaited.
    // Queued at the flush, so the guard of a posting without candidates is computed
    // after the answer has gone out.
    const answer = {
      output: result.output,
      provider: result.entry.provider,
      model: result.entry.model,
    };
    writes.defer('cache-and-budget', ctx.logger, () =>
      Promise.all([
        reservation
          ? budgets.reconcile(reservation, result.costUsd, ctx.cellId, ctx.userId)
          : undefined,
        exactCache.set(key, answer),
        fingerprint
          ? nearCache.add(fingerprint, tier, { ...answer, analysis: result.output as JobAnalysis })
          : undefined,
      ]),
    );
    timer?.lap('cache-write', mark);

    return {
      ...answer,
      inputTokens: result.inputTokens,
      outputTokens: result.outputTokens,
      costUsd: result.costUsd,
      cache: 'none',
      providerMs: result.providerMs,
      batchWaitMs: result.batchWaitMs ?? 0,
    };
  }

  /** Gives back a reservation, unawaited. */
  private release(held: Reservation, ctx: RequestContext): void {
    this.deps.writes.defer('budget-release', ctx.logger, () =>
      this.deps.budgets.reconcile(held, 0, ctx.cellId, ctx.userId),
    );
  }
}
