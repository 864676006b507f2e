/**
 * The checksums a migration verifies: the user's own rows, the same in every
 * cell that holds the user.
 *
 * Shared rows (a board job deduplicated for every follower in a cell, its
 * postings and their near-duplicate bands) are the cell's, not the user's:
 * - their **ids** differ between cells that discovered the same posting each
 *   on their own (the load remaps the user's rows to the target's id);
 * - their **content** and **number** differ too: a cell refreshes a board on
 *   its own schedule, and its cluster of a job may hold postings another
 *   cell's followers brought in.
 *
 * So a table's checksum covers the rows the user owns, byte for byte, with
 * every id of a shared row written as that row's natural key (its first
 * unique key without nulls: a job's fingerprint, a posting's provider and
 * external id). A user whose `user_jobs` point at job `J1` in one cell and at
 * the same board job `J2` in another has equal checksums; a user who lost or
 * gained a row, a status or a version does not. That the shared rows the user
 * points at exist in the target is checked by the load itself (foreign keys,
 * and the read-back in `UserDataService.load`).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { checksumTables, type Row, sortRows, type TableChecksum } from './canonical.ts';
import type { CatalogTable, UserDataCatalog } from './catalog.ts';
import type { CollectedRows } from './collect.ts';
import { remapRow } from './load.ts';
import { keyOf } from './rows.ts';

/** How a shared row is named in the checksums: `table(columns)=values`. */
export function naturalKeyOf(table: CatalogTable, row: Row): string {
  for (const unique of table.uniqueKeys) {
    const key = keyOf(row, unique.columns);
    if (key !== null) return `${table.name}(${unique.columns.join(',')})=${key}`;
  }
  return `${table.name}(${table.primaryKey.join(',')})=${keyOf(row, table.primaryKey)}`;
}

/**
 * The user's checksums per catalog table, from rows already classified
 * (`classifyRows`). Table by table, yielding in between (`checksumTables`): a
 * whole user at once held the cell's event loop for tens of milliseconds.
 */
export async function userChecksums(
  catalog: UserDataCatalog,
  collected: CollectedRows,
): Promise<Record<string, TableChecksum>> {
  const names = new Map<string, string>();
  for (const { table, rows, owned } of collected.values()) {
    if (table.primaryKey.length !== 1) continue;
    const column = table.primaryKey[0] as string;
    for (const row of rows) {
      const id = row[column];
      if (typeof id !== 'string' || owned.has(keyOf(row, table.primaryKey) as string)) continue;
      names.set(id, naturalKeyOf(table, row));
    }
  }
  const tables: Record<string, Row[]> = {};
  for (const table of catalog.tables) {
    await yieldToEventLoop();
    const entry = collected.get(table.name);
    // Sorted again: a natural key in a primary key (user_jobs' job) changes the order.
    tables[table.name] = sortRows(
      (entry?.rows ?? [])
        .filter((row) => entry?.owned.has(keyOf(row, table.primaryKey) as string))
        .map((row) => remapRow(table, row, names)),
      table.primaryKey,
    );
  }
  return checksumTables(tables);
}
