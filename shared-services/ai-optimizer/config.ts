/**
 * Configuration of the AI optimizer, parsed once at start. A fresh machine
 * needs only `REDIS_URL`: with no provider key the catalog is the embedded
 * provider alone.
 */
import { z } from 'zod';
import { configFields } from '../../lib/config.ts';

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));
const usd = z.coerce.number().min(0);

export const aiOptimizerConfigSchema = z.object({
  /** @defaultValue 8091 */
  PORT: configFields.port.default(8091),
  /** @defaultValue '127.0.0.1' */
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: configFields.logLevel,
  /** The shared-services Redis: caches, near-duplicate index, budgets, ledger. */
  REDIS_URL: configFields.redisUrl,
  /** Prefix of every Redis key this service writes. @defaultValue 'ai:' */
  AI_KEY_PREFIX: z.string().default('ai:'),
  /** Model catalog as a JSON array (see docs); overrides the catalog derived from the keys. */
  AI_MODEL_CATALOG: optionalString,
  /** Path of a JSON file holding the model catalog. */
  AI_MODEL_CATALOG_FILE: optionalString,
  /**
   * Fallback chain: comma-separated groups tried in order. `cloud` is OpenAI and
   * Anthropic sorted by price; `openai`, `anthropic`, `local`, `embedded` name one.
   * @defaultValue 'cloud,local,embedded'
   */
  AI_FALLBACK_CHAIN: z
    .string()
    .default('cloud,local,embedded')
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['cloud', 'openai', 'anthropic', 'local', 'embedded'])).min(1)),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: configFields.url.optional(),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: configFields.url.optional(),
  /** An OpenAI-compatible local server, e.g. Ollama's `http://127.0.0.1:11434/v1`. */
  LOCAL_LLM_BASE_URL: configFields.url.optional(),
  /** @defaultValue 'local' (Ollama ignores it) */
  LOCAL_LLM_API_KEY: z.string().default('local'),
  /** Model of the local server used by the derived catalog. @defaultValue 'llama3.1:8b' */
  LOCAL_LLM_MODEL: z.string().min(1).default('llama3.1:8b'),
  /** Spend cap per user per UTC day, USD. @defaultValue 1 */
  AI_BUDGET_USER_DAILY_USD: usd.default(1),
  /** Spend cap per cell per UTC day, USD. @defaultValue 100 */
  AI_BUDGET_CELL_DAILY_USD: usd.default(100),
  /** Exact and near-duplicate cache TTL. @defaultValue 604800 (7 days) */
  AI_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(604_800),
  /** Whole-request deadline across the chain (the embedded provider still answers). @defaultValue 30000 */
  AI_REQUEST_TIMEOUT_MS: configFields.durationMs.default(30_000),
  /** Bound on one provider HTTP attempt. @defaultValue 20000 */
  AI_PROVIDER_TIMEOUT_MS: configFields.durationMs.default(20_000),
  /** Retries of one provider on 429/5xx/connection errors. @defaultValue 1 */
  AI_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  /** Longest `Retry-After` honoured; longer means go to the next provider. @defaultValue 5000 */
  AI_MAX_RETRY_AFTER_MS: z.coerce.number().int().min(0).default(5_000),
  /** Consecutive failures that open a provider's breaker. @defaultValue 5 */
  AI_BREAKER_FAILURES: z.coerce.number().int().positive().default(5),
  /** Time an open breaker waits before one half-open probe. @defaultValue 60000 */
  AI_BREAKER_COOLDOWN_MS: configFields.durationMs.default(60_000),
  /**
   * Estimated MinHash Jaccard at or above which a job reuses an earlier analysis.
   * Measured (bench/ai.ts): light edits ≥ 0.80, distinct postings ≤ 0.40. @defaultValue 0.6
   */
  AI_NEAR_DUP_THRESHOLD: z.coerce.number().gt(0).max(1).default(0.6),
  /** Window in which analyze-job calls to one model are coalesced; 0 disables. @defaultValue 5 */
  AI_BATCH_WINDOW_MS: z.coerce.number().int().min(0).default(5),
  /** Most jobs in one batched call. @defaultValue 8 */
  AI_BATCH_MAX: z.coerce.number().int().min(1).max(50).default(8),
  /** How long ledger rows are kept. @defaultValue 35 */
  AI_LEDGER_RETENTION_DAYS: z.coerce.number().int().positive().default(35),
});

export type AiOptimizerConfig = z.infer<typeof aiOptimizerConfigSchema>;
