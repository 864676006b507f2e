/** Router configuration: one zod schema, parsed once at start (see lib/config.ts). */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configFields, parseConfig } from '../lib/config.ts';
import { migratorTuningFields } from './migration/config.ts';

const positiveInt = z.coerce.number().int().positive();

export const routerConfigSchema = z.object({
  /** @defaultValue 8080 */
  PORT: configFields.port.default(8080),
  /** @defaultValue '127.0.0.1' */
  HOST: z.string().min(1).default('127.0.0.1'),
  CONTROL_PLANE_DATABASE_URL: configFields.postgresUrl,
  /** HMAC secret shared with the cells for `x-router-signature`. */
  ROUTER_SECRET: configFields.secret,
  /** HS256 key of access tokens. */
  JWT_SECRET: configFields.secret,
  /** Bearer token of the admin API. */
  ADMIN_TOKEN: configFields.secret,
  /** JSON `{"cells":[{"id","url","weight"}]}` upserted into the registry at boot. */
  CELL_REGISTRY_FILE: z.string().min(1).optional(),
  /** @defaultValue 1000 */
  CELL_CONNECT_TIMEOUT_MS: configFields.durationMs.default(1_000),
  /** Time to wait for a cell's response headers before `504 cell_timeout`. @defaultValue 30000 */
  CELL_HEADERS_TIMEOUT_MS: configFields.durationMs.default(30_000),
  /** Idle time allowed between body chunks of a cell response. @defaultValue 60000 */
  CELL_BODY_TIMEOUT_MS: configFields.durationMs.default(60_000),
  /** Keep-alive connections per cell. @defaultValue 128 */
  CELL_POOL_CONNECTIONS: positiveInt.default(128),
  /** Largest request body forwarded to a cell. @defaultValue 1048576 (1 MiB) */
  BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  /** @defaultValue 1000 */
  HEALTH_CHECK_INTERVAL_MS: configFields.durationMs.default(1_000),
  /** @defaultValue 800 */
  HEALTH_CHECK_TIMEOUT_MS: configFields.durationMs.default(800),
  /** Failed checks before a cell is down (connection refused is at once). @defaultValue 2 */
  HEALTH_FAILURES_TO_DOWN: positiveInt.default(2),
  /** Good checks before a down cell is up again. @defaultValue 2 */
  HEALTH_SUCCESSES_TO_UP: positiveInt.default(2),
  /**
   * Passive health: relayed answers in a row in which the cell reported a dependency down
   * (`503` with `x-cell-dependency-down`) before the router marks it down itself. @defaultValue 3
   */
  HEALTH_ANSWER_FAILURES_TO_DOWN: positiveInt.default(3),
  /** Least time a cell marked down by passive health stays down. @defaultValue 1000 */
  HEALTH_EJECT_MS: configFields.durationMs.default(1_000),
  /** `Retry-After` seconds on `503 cell_unavailable` / `cell_draining`. @defaultValue 5 */
  RETRY_AFTER_SECONDS: positiveInt.default(5),
  /** Safety-net reload period next to LISTEN/NOTIFY. @defaultValue 5000 */
  CONTROL_PLANE_POLL_MS: configFields.durationMs.default(5_000),
  /** @defaultValue 900 (15 min) */
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
  /** @defaultValue 2592000 (30 days) */
  REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(2_592_000),
  /** log2 of scrypt's N (cost); memory is 128·N·r bytes. @defaultValue 15 */
  PASSWORD_SCRYPT_LOG_N: z.coerce.number().int().min(10).max(20).default(15),
  /** Login attempts per client IP per window. @defaultValue 30 */
  LOGIN_LIMIT_PER_IP: positiveInt.default(30),
  /** Login attempts per email per window. @defaultValue 10 */
  LOGIN_LIMIT_PER_EMAIL: positiveInt.default(10),
  /** @defaultValue 60000 */
  LOGIN_LIMIT_WINDOW_MS: configFields.durationMs.default(60_000),
  /**
   * The shared Redis that holds the login counters, so every router replica
   * counts against one budget. Unset: each replica counts alone. While it is
   * down, each replica counts alone and logs a warning (router/identity/login-limiter.ts).
   */
  LOGIN_LIMIT_REDIS_URL: configFields.redisUrl.optional(),
  /** Time the cell gets to initialise a new user at signup. @defaultValue 5000 */
  SIGNUP_CELL_TIMEOUT_MS: configFields.durationMs.default(5_000),
  /** Bound on draining in-flight requests at SIGTERM. @defaultValue 10000 */
  SHUTDOWN_TIMEOUT_MS: configFields.durationMs.default(10_000),
  /** Run the migrator in this process (one replica at a time holds its lock). @defaultValue true */
  MIGRATOR_ENABLED: configFields.boolean.default(true),
  ...migratorTuningFields,
  /**
   * The built web app the router serves at `/` (`make web`). Missing: `/` answers
   * 404 saying so; the API is unaffected.
   * @defaultValue the repository's web/dist
   */
  WEB_DIST_DIR: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../web/dist', import.meta.url))),
  LOG_LEVEL: configFields.logLevel,
});

export type RouterConfig = z.infer<typeof routerConfigSchema>;

/** Parses a router config from an env-like record (tests build configs this way). */
export function parseRouterConfig(env: Record<string, string | undefined>): RouterConfig {
  return parseConfig(routerConfigSchema, env);
}
