/**
 * Builds the AI optimizer's services once at boot: Redis, the catalog, the
 * SDK clients, the provider chain, caches, budgets, ledger and metrics.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '../../lib/logger.ts';
import { createMetrics, type Metrics } from '../../lib/metrics.ts';
import type { AiOptimizerConfig } from './config.ts';
import { type AiMetrics, createAiMetrics } from './domain/ai-metrics.ts';
import { AnalyzeBatcher } from './domain/analyze-batcher.ts';
import { Budgets } from './domain/budget.ts';
import { type CatalogEntry, catalogSchema, defaultCatalog } from './domain/catalog.ts';
import {
  type ChatProvider,
  createAnthropicProvider,
  createOpenAiProvider,
} from './domain/chat-providers.ts';
import { ExactCache } from './domain/exact-cache.ts';
import { Ledger } from './domain/ledger.ts';
import { NearDuplicateCache } from './domain/near-duplicate-cache.ts';
import { Optimizer } from './domain/optimizer.ts';
import { ProviderChain } from './domain/provider-chain.ts';
import { WriteBehind } from './domain/redis-steps.ts';

export interface AiOptimizerServices {
  config: AiOptimizerConfig;
  logger: Logger;
  metrics: Metrics;
  aiMetrics: AiMetrics;
  redis: Redis;
  catalog: CatalogEntry[];
  chain: ProviderChain;
  optimizer: Optimizer;
  ledger: Ledger;
  budgets: Budgets;
  /** Writes sent and not awaited by requests (cache fills, reconciliations, ledger rows). */
  writes: WriteBehind;
  close(): Promise<void>;
}

/** The catalog from AI_MODEL_CATALOG(_FILE), or derived from the configured keys. */
export function loadCatalog(config: AiOptimizerConfig): CatalogEntry[] {
  const raw =
    config.AI_MODEL_CATALOG ??
    (config.AI_MODEL_CATALOG_FILE ? readFileSync(config.AI_MODEL_CATALOG_FILE, 'utf8') : undefined);
  if (raw === undefined)
    return defaultCatalog({
      openai: config.OPENAI_API_KEY !== undefined,
      anthropic: config.ANTHROPIC_API_KEY !== undefined,
      local: config.LOCAL_LLM_BASE_URL !== undefined,
      localModel: config.LOCAL_LLM_MODEL,
    });
  const source = config.AI_MODEL_CATALOG ? 'AI_MODEL_CATALOG' : 'AI_MODEL_CATALOG_FILE';
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${source} is not valid JSON`);
  }
  const parsed = catalogSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `${source} is invalid: ${parsed.error.issues.map((i) => `/${i.path.join('/')} ${i.message}`).join('; ')}`,
    );
  const missing = [
    ...new Set(
      parsed.data
        .filter(
          (e) =>
            (e.provider === 'openai' && !config.OPENAI_API_KEY) ||
            (e.provider === 'anthropic' && !config.ANTHROPIC_API_KEY) ||
            (e.provider === 'local' && !config.LOCAL_LLM_BASE_URL),
        )
        .map((e) => e.provider),
    ),
  ];
  if (missing.length > 0)
    throw new Error(
      `${source} names ${missing.join(', ')} but its key or base URL is not configured`,
    );
  return parsed.data;
}

export interface BuildOptions {
  logger?: Logger;
  /** Injected clock for breakers and budgets. @defaultValue Date.now */
  now?: () => number;
}

export function buildServices(
  config: AiOptimizerConfig,
  options: BuildOptions = {},
): AiOptimizerServices {
  const logger =
    options.logger ?? createLogger({ service: 'ai-optimizer', level: config.LOG_LEVEL });
  const catalog = loadCatalog(config);
  const metrics = createMetrics({ service: 'ai-optimizer' });
  const aiMetrics = createAiMetrics(metrics);
  const redis = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));

  const providers: Partial<Record<'openai' | 'anthropic' | 'local', ChatProvider>> = {};
  if (config.OPENAI_API_KEY)
    providers.openai = createOpenAiProvider({
      kind: 'openai',
      apiKey: config.OPENAI_API_KEY,
      ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    });
  if (config.ANTHROPIC_API_KEY)
    providers.anthropic = createAnthropicProvider({
      apiKey: config.ANTHROPIC_API_KEY,
      ...(config.ANTHROPIC_BASE_URL ? { baseURL: config.ANTHROPIC_BASE_URL } : {}),
    });
  if (config.LOCAL_LLM_BASE_URL)
    providers.local = createOpenAiProvider({
      kind: 'local',
      apiKey: config.LOCAL_LLM_API_KEY,
      baseURL: config.LOCAL_LLM_BASE_URL,
    });

  const breakerValue = { closed: 0, 'half-open': 1, open: 2 } as const;
  for (const kind of Object.keys(providers)) aiMetrics.breakerState.set({ provider: kind }, 0);
  const chain = new ProviderChain({
    providers,
    logger,
    maxRetries: config.AI_MAX_RETRIES,
    maxRetryAfterMs: config.AI_MAX_RETRY_AFTER_MS,
    providerTimeoutMs: config.AI_PROVIDER_TIMEOUT_MS,
    breakerFailures: config.AI_BREAKER_FAILURES,
    breakerCooldownMs: config.AI_BREAKER_COOLDOWN_MS,
    ...(options.now ? { now: options.now } : {}),
    observer: {
      onCall: (entry, response) => {
        aiMetrics.providerCalls.inc({ provider: entry.provider, model: entry.model });
        aiMetrics.tokens.inc(
          { provider: entry.provider, direction: 'input' },
          response.inputTokens,
        );
        aiMetrics.tokens.inc(
          { provider: entry.provider, direction: 'output' },
          response.outputTokens,
        );
      },
      onError: (entry, reason) =>
        aiMetrics.providerErrors.inc({ provider: entry.provider, reason }),
      onBreakerState: (provider, state) =>
        aiMetrics.breakerState.set({ provider }, breakerValue[state]),
    },
  });
  const prefix = config.AI_KEY_PREFIX;
  const writes = new WriteBehind(redis, (what) =>
    aiMetrics.backgroundWriteFailures.inc({ write: what }),
  );
  const budgets = new Budgets({
    beforeRead: writes.beforeRead,
    redis,
    prefix,
    userDailyUsd: config.AI_BUDGET_USER_DAILY_USD,
    cellDailyUsd: config.AI_BUDGET_CELL_DAILY_USD,
    ...(options.now ? { now: options.now } : {}),
    onWarning: (scope, who, spentUsd, limitUsd) => {
      aiMetrics.budgetWarnings.inc({ scope });
      logger.warn(
        { scope, [scope === 'user' ? 'userId' : 'cellId']: who, spentUsd, limitUsd },
        'AI budget past 80%',
      );
    },
  });
  const ledger = new Ledger(
    redis,
    prefix,
    config.AI_LEDGER_RETENTION_DAYS,
    options.now,
    writes.beforeRead,
  );
  const optimizer = new Optimizer({
    writes,
    catalog,
    chainGroups: config.AI_FALLBACK_CHAIN,
    chain,
    batcher: new AnalyzeBatcher(chain, config.AI_BATCH_WINDOW_MS, config.AI_BATCH_MAX, (size) =>
      aiMetrics.batchSize.observe(size),
    ),
    exactCache: new ExactCache(redis, prefix, config.AI_CACHE_TTL_SECONDS),
    nearCache: new NearDuplicateCache({
      redis,
      prefix,
      threshold: config.AI_NEAR_DUP_THRESHOLD,
      ttlSeconds: config.AI_CACHE_TTL_SECONDS,
    }),
    budgets,
    ledger,
    metrics: aiMetrics,
    logger,
    requestTimeoutMs: config.AI_REQUEST_TIMEOUT_MS,
    ...(options.now ? { now: options.now } : {}),
  });
  let closed: Promise<void> | undefined;
  return {
    config,
    logger,
    metrics,
    aiMetrics,
    redis,
    catalog,
    chain,
    optimizer,
    ledger,
    budgets,
    writes,
    close() {
      // Unawaited writes first: QUIT would also wait for them, but drain() logs their failures.
      closed ??= writes
        .drain()
        .then(() => redis.quit())
        .then(
          () => undefined,
          () => redis.disconnect(),
        );
      return closed;
    },
  };
}
