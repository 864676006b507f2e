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

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Brings the control-plane database at `url` up to the latest schema; idempotent. */
export function migrateControlPlane(url: string, logger?: Logger): Promise<string[]> {
  return runMigrations({ databaseUrl: url, dir: MIGRATIONS_DIR, logger });
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
