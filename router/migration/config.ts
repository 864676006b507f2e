/**
 * The standalone migrator's environment (router/migration/main.ts), in a
 * module of its own so the deploy-manifest test can check the Kubernetes Job's
 * env against it without starting the process.
 */
import { z } from 'zod';
import { configFields } from '../../lib/config.ts';

/**
 * The migrator's tuning, the same wherever it runs: in a router replica
 * (router/config.ts, `MIGRATOR_ENABLED`) or as the standalone Job below.
 */
export const migratorTuningFields = {
  /**
   * Users (with copy batches: batches) migrated in parallel. 1: on 2 shared
   * cores, 2 adds about 40% to the rate but saturates both cores, with the
   * other users' p95 about 3× and the freeze p99 longer; 4 adds nothing more (a
   * move is CPU-bound; docs/reference/operations.md). Raise it where cells have
   * cores to spare. @defaultValue 1
   */
  MIGRATOR_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Users copied together, from one source to one target, in one request each
   * way (one snapshot, one load transaction); each is then frozen, caught up
   * and flipped on its own. 1: every user copied alone. @defaultValue 8
   */
  MIGRATOR_COPY_BATCH: z.coerce.number().int().min(1).max(32).default(8),
  /** After each user, pause this many times as long as the user took (0: no pause). @defaultValue 0 */
  MIGRATOR_NICE_RATIO: z.coerce.number().min(0).max(100).default(0),
  /** Grace period before a moved user's source rows are purged. @defaultValue 60000 */
  MIGRATION_PURGE_GRACE_MS: configFields.durationMs.default(60_000),
  /** How long a cell may wait for a user's running jobs when freezing them. @defaultValue 5000 */
  MIGRATION_FREEZE_WAIT_MS: configFields.durationMs.default(5_000),
  /** How long a cell may stay unreachable before a move's failures count as attempts. @defaultValue 60000 */
  MIGRATION_UNREACHABLE_GRACE_MS: configFields.durationMs.default(60_000),
};

export const migratorConfigSchema = z.object({
  CONTROL_PLANE_DATABASE_URL: configFields.postgresUrl,
  ROUTER_SECRET: configFields.secret,
  /** `once`: finish the running operation and exit; `watch`: keep running. @defaultValue once */
  MIGRATOR_MODE: z.enum(['once', 'watch']).default('once'),
  ...migratorTuningFields,
  /** Pause after each recorded phase (crash drills only). @defaultValue 0 */
  MIGRATION_STEP_DELAY_MS: z.coerce.number().int().min(0).default(0),
  LOG_LEVEL: configFields.logLevel,
});
