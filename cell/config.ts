/** Cell configuration: one zod schema per cell process, parsed once at start. */
import { z } from 'zod';
import { configFields } from '../lib/config.ts';
import { secretsKeyField } from '../lib/crypto/secret-box.ts';
import { RESUME_TEMPLATES } from './domain/applications/pdf-renderer.ts';

const base = {
  CELL_ID: configFields.cellId,
  DATABASE_URL: configFields.postgresUrl,
  REDIS_URL: configFields.redisUrl,
  LOG_LEVEL: configFields.logLevel,
  /** BullMQ key prefix; tests set a unique one. */
  QUEUE_PREFIX: z.string().min(1).default('bull'),
  AI_OPTIMIZER_URL: configFields.url.default('http://127.0.0.1:8091'),
  PDF_SERVICE_URL: configFields.url.default('http://127.0.0.1:8090'),
  /** Run pending migrations at start. */
  MIGRATE_ON_START: configFields.boolean.default(true),
  // Applications and submission channels: all optional, defaults in cell/adapters/submission.
  /** base64 of 32 bytes; seals channel credentials at rest. Without it no credential can be stored. */
  SECRETS_KEY: secretsKeyField.optional(),
  /** `smtp://user:pass@host:port` for the email channel; without it the channel is not configured. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_FROM: z.email().optional(),
  GREENHOUSE_API_URL: configFields.url.optional(),
  LEVER_API_URL: configFields.url.optional(),
  ASHBY_API_URL: configFields.url.optional(),
  /** Per-request timeout of the ATS and email channels. */
  SUBMISSION_TIMEOUT_MS: configFields.durationMs.optional(),
  /** Comma-separated channels whose remote side dedupes on Idempotency-Key (e.g. behind a proxy). */
  SUBMISSION_REMOTE_DEDUPES: z
    .string()
    .regex(/^[a-z]+(,[a-z]+)*$/, 'must be a comma-separated list of channel names')
    .optional(),
};

/**
 * Job discovery and analysis settings, shared by the API (which creates the
 * per-board schedules) and the worker (which fetches). Only these base URLs
 * are ever fetched: a board token is a path segment, never a host.
 */
export const cellDiscoveryFields = {
  JOB_BOARD_GREENHOUSE_URL: configFields.url.default('https://boards-api.greenhouse.io/v1'),
  JOB_BOARD_LEVER_URL: configFields.url.default('https://api.lever.co/v0'),
  JOB_BOARD_ASHBY_URL: configFields.url.default('https://api.ashbyhq.com'),
  /** How often each followed board is fetched, once per cell. */
  DISCOVERY_INTERVAL_MS: configFields.durationMs.default(30 * 60_000),
  /** Concurrent board fetches per provider. */
  DISCOVERY_CONCURRENCY_PER_PROVIDER: z.coerce.number().int().min(1).max(50).default(2),
  /** Board fetches per provider per minute. */
  DISCOVERY_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** Timeout of one board fetch (headers and body). */
  DISCOVERY_FETCH_TIMEOUT_MS: configFields.durationMs.default(20_000),
  /** Largest board response accepted. */
  DISCOVERY_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(50 * 1_048_576),
  /** Timeout of one analyze-job call to the AI optimizer before the embedded fallback. */
  AI_ANALYZE_TIMEOUT_MS: configFields.durationMs.default(10_000),
};

/**
 * Applications workflow settings (API and worker): deadlines, concurrency,
 * tailoring and rendering. Defaults follow DESIGN.md section 4.
 */
export const cellWorkflowFields = {
  /** A workflow without a human step finishes or fails within this. */
  WORKFLOW_DEADLINE_MS: configFields.durationMs.default(300_000),
  /** Concurrent jobs per workflow step queue and worker process. */
  WORKFLOW_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(8),
  /** How often overdue workflows are failed and stuck steps re-queued. */
  WORKFLOW_SWEEP_INTERVAL_MS: configFields.durationMs.default(5_000),
  /** A workflow step untouched this long is queued again by the sweeper (its job id dedupes). */
  WORKFLOW_STUCK_AFTER_MS: configFields.durationMs.default(30_000),
  /** BullMQ lock of an active step job; a job whose worker died is re-delivered after it. */
  WORKFLOW_LOCK_DURATION_MS: configFields.durationMs.default(30_000),
  /** How often BullMQ looks for stalled step jobs (worker killed mid-job). */
  WORKFLOW_STALLED_INTERVAL_MS: configFields.durationMs.default(15_000),
  /** `optimizer`: tailor-resume through the AI optimizer, embedded on failure; `embedded`: in-process only. */
  TAILOR_PROVIDER: z.enum(['optimizer', 'embedded']).default('optimizer'),
  /** Timeout of one tailor-resume call to the AI optimizer. */
  AI_TAILOR_TIMEOUT_MS: configFields.durationMs.default(20_000),
  /** Consecutive failing (unverifiable) variants after which the provider is bypassed. */
  TAILOR_FAILURE_THRESHOLD: z.coerce.number().int().min(1).default(3),
  /** How long a provider that keeps failing verification is bypassed. */
  TAILOR_COOLDOWN_MS: configFields.durationMs.default(300_000),
  /** PDF template: classic, modern or compact. */
  PDF_TEMPLATE: z.enum(RESUME_TEMPLATES).default('modern'),
  /** Timeout of one render call to the PDF service. */
  PDF_RENDER_TIMEOUT_MS: configFields.durationMs.default(15_000),
  /** Seed of the strategy bandit (per cell); default: derived from CELL_ID. */
  BANDIT_SEED: z.coerce.number().int().min(0).optional(),
  /** Attempts of one status-webhook delivery (exponential backoff from 1 s). */
  NOTIFY_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
};
export const cellWorkflowConfigSchema = z.object(cellWorkflowFields);
export type CellWorkflowConfig = z.infer<typeof cellWorkflowConfigSchema>;

export const cellDiscoveryConfigSchema = z.object(cellDiscoveryFields);
export type CellDiscoveryConfig = z.infer<typeof cellDiscoveryConfigSchema>;

export const cellApiConfigSchema = z.object({
  ...base,
  PORT: configFields.port.default(8101),
  HOST: z.string().default('127.0.0.1'),
  ROUTER_SECRET: configFields.secret,
  /** Oldest router signature the cell accepts. */
  SIGNATURE_MAX_AGE_MS: configFields.durationMs.default(30_000),
  /** Largest request body a cell accepts. */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Requests per user per minute, counted in the cell's Redis. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(120),
  /** Longest a `/v1` request may take before a clean `503 service_unavailable`. */
  REQUEST_TIMEOUT_MS: configFields.durationMs.default(5_000),
  /**
   * Longest `GET /v1/export` may take: a whole account (every PDF as base64) is a bulk
   * download, not an interactive answer. Below the router's 30 s wait for a cell's headers.
   */
  EXPORT_TIMEOUT_MS: configFields.durationMs.default(25_000),
  ...cellDiscoveryFields,
  ...cellWorkflowFields,
});

export const cellWorkerConfigSchema = z.object({
  ...base,
  /** Port of the worker's own `/health/live` and `/metrics`. */
  WORKER_PORT: configFields.port.default(8201),
  HOST: z.string().default('127.0.0.1'),
  HEARTBEAT_INTERVAL_MS: configFields.durationMs.default(5_000),
  ...cellDiscoveryFields,
  ...cellWorkflowFields,
});

export type CellApiConfig = z.infer<typeof cellApiConfigSchema>;
export type CellWorkerConfig = z.infer<typeof cellWorkerConfigSchema>;
/** What `buildCellServices` needs; discovery settings fall back to their defaults. */
export type CellBaseConfig = Pick<CellApiConfig, keyof typeof base> &
  Partial<CellDiscoveryConfig> &
  Partial<CellWorkflowConfig>;
