/**
 * Versioned SQL migrations through node-pg-migrate. Each database (a cell
 * shard, the control plane) keeps its `.sql` files in one folder; files are
 * applied in name order and recorded in a migrations table. Concurrent runners
 * are serialised by node-pg-migrate's advisory lock.
 */
import { runner } from 'node-pg-migrate';
import type { Logger } from './logger.ts';

export interface MigrateOptions {
  databaseUrl: string;
  /** Folder of `NNNN_name.sql` files with `-- Up Migration` / `-- Down Migration` sections. */
  dir: string;
  /** @defaultValue 'schema_migrations' */
  table?: string;
  logger?: Logger;
}

/** Applies every pending migration; returns the names applied. */
export async function runMigrations(options: MigrateOptions): Promise<string[]> {
  const applied = await runner({
    databaseUrl: options.databaseUrl,
    dir: options.dir,
    migrationsTable: options.table ?? 'schema_migrations',
    direction: 'up',
    count: Number.POSITIVE_INFINITY,
    checkOrder: true,
    verbose: false,
    log: (message: string) => options.logger?.debug({ migration: true }, message),
  });
  const names = applied.map((migration) => migration.name);
  if (names.length > 0) options.logger?.info({ migrations: names }, 'applied migrations');
  return names;
}
