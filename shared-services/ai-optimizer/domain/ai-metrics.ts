/** Prometheus metrics of the AI optimizer, on the process registry from lib/metrics.ts. */
import type { Metrics } from '../../../lib/metrics.ts';

export function createAiMetrics(metrics: Metrics) {
  return {
    requests: metrics.counter(
      'ai_task_requests_total',
      'AI task requests, by task, outcome and cache kind',
      ['task', 'outcome', 'cache'] as const,
    ),
    cacheHits: metrics.counter(
      'ai_cache_hits_total',
      'Answers served without a provider call, by cache kind',
      ['kind'] as const,
    ),
    providerCalls: metrics.counter('ai_provider_calls_total', 'Provider HTTP calls that returned', [
      'provider',
      'model',
    ] as const),
    providerErrors: metrics.counter('ai_provider_errors_total', 'Provider failures, by reason', [
      'provider',
      'reason',
    ] as const),
    breakerState: metrics.gauge(
      'ai_breaker_state',
      'Circuit breaker per provider: 0 closed, 1 half-open, 2 open',
      ['provider'] as const,
    ),
    spend: metrics.counter(
      'ai_spend_usd_total',
      'Money spent on providers, USD, by cell and provider',
      ['cell', 'provider'] as const,
    ),
    tokens: metrics.counter('ai_tokens_total', 'Provider tokens, by provider and direction', [
      'provider',
      'direction',
    ] as const),
    budgetWarnings: metrics.counter(
      'ai_budget_warnings_total',
      'Budgets that crossed 80% of their daily cap',
      ['scope'] as const,
    ),
    budgetRejections: metrics.counter(
      'ai_budget_rejections_total',
      'Requests refused with 402 budget_exceeded',
      ['scope'] as const,
    ),
    backgroundWriteFailures: metrics.counter(
      'ai_background_write_failures_total',
      'Redis writes sent without awaiting them (cache fills, budget reconciliation, ledger rows) that failed',
      ['write'] as const,
    ),
    batchSize: metrics.histogram(
      'ai_batch_size',
      'Jobs per analyze-job provider call',
      [],
      [1, 2, 4, 8, 16, 32],
    ),
  };
}

export type AiMetrics = ReturnType<typeof createAiMetrics>;
