/** Cell shard migrations: `migrateCell(url)` for code, and a script entry for `make migrate`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../lib/logger.ts';
import { runMigrations } from '../../lib/migrations.ts';

export const CELL_MIGRATIONS_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'migrations',
);

export function migrateCell(databaseUrl: string, logger?: Logger): Promise<string[]> {
  return runMigrations({ databaseUrl, dir: CELL_MIGRATIONS_DIR, logger });
}
