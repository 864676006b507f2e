/**
 * Control-plane migrations (node-pg-migrate, SQL files in ./migrations).
 * Called by the router at start, by the dev orchestrator's `make migrate`, and
 * runnable alone: `node --import tsx router/control-plane/migrate.ts <url>`
 * (or with CONTROL_PLANE_DATABASE_URL set).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configFields, loadConfig } from '../../lib/config.ts';
import type { Logger } from '../../lib/logger.ts';
import { runMigrations } from '../../lib/migrations.ts';
import { backfillPlacements } from './backfill-placements.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Brings the control-plane database at `url` up to the latest schema and
 * records a placement for every account that has none; idempotent.
 */
export async function migrateControlPlane(url: string, logger?: Logger): Promise<string[]> {
  const applied = await runMigrations({ databaseUrl: url, dir: MIGRATIONS_DIR, logger });
  const backfilled = await backfillPlacements(url);
  if (backfilled > 0) logger?.info({ placements: backfilled }, 'backfilled recorded placements');
  return applied;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const url =
    process.argv[2] ??
    loadConfig(z.object({ CONTROL_PLANE_DATABASE_URL: configFields.postgresUrl }))
      .CONTROL_PLANE_DATABASE_URL;
  migrateControlPlane(url).then(
    () => process.stdout.write('control plane migrated\n'),
    (error: unknown) => {
      process.stderr.write(`control plane migration failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
