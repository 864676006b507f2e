/**
 * Loading a dump into this cell: shared rows are merged (`writeSharedRows`,
 * in a short transaction of their own), then the user's owned rows are
 * replaced (`replaceOwnedRows`, in the caller's transaction).
 *
 * Shared rows (a board job deduplicated by fingerprint, its postings) may
 * already be here:
 * - under the **same id** (copied earlier from the same cell, or this cell is
 *   where the job was first seen): it is updated to the dump's content, so a
 *   catch-up copy converges, and the next board fetch here reconciles it;
 * - under **another id** with the same unique key (this cell discovered the
 *   same posting itself): the dump's row is not written; the user's rows are
 *   **remapped** to this cell's id (foreign keys, uuid columns and equal
 *   strings inside jsonb, which is safe for UUIDs), so the user never sees the
 *   job twice and discovery keeps deduplicating. A shared child merged into a
 *   row with another parent (a posting this cell filed under another job)
 *   remaps that parent too, so a job and its postings stay together.
 * Every remap is returned so the migrator can tell which ids changed.
 */
import type postgres from 'postgres';
import type { Row } from './canonical.ts';
import { type CatalogTable, ident, type UserDataCatalog } from './catalog.ts';
import { type CollectedRows, type CollectedTable, collectUserRows } from './collect.ts';
import { deleteRows, keyOf, selectByKeys, writeRows } from './rows.ts';

/** Old id → this cell's id, per table. */
export type Remapped = Record<string, Record<string, string>>;

type Action = 'upsert' | 'insert' | 'merged';

/** Deletes the user's owned rows (children first); returns the count per table. */
export async function deleteOwnedRows(
  tx: postgres.TransactionSql,
  catalog: UserDataCatalog,
  collected: CollectedRows,
): Promise<Record<string, number>> {
  // Children first; the statements are pipelined, and Postgres runs them in that order.
  const tables = [...catalog.tables].reverse().filter((table) => collected.has(table.name));
  const counts = await Promise.all(
    tables.map((table) => {
      const entry = collected.get(table.name) as CollectedTable;
      const owned = entry.rows.filter((row) =>
        entry.owned.has(keyOf(row, table.primaryKey) as string),
      );
      return deleteRows(tx, table, owned);
    }),
  );
  return Object.fromEntries(tables.map((table, i) => [table.name, counts[i] as number]));
}

/**
 * Replaces every string equal to a key of `ids` by its value, at any depth.
 * Copy on write: an array or object in which nothing is replaced is returned
 * as it is (most of a user's JSON holds no id), so only the path to a
 * replacement is copied.
 */
export function substitute<T>(value: T, ids: Map<string, string>): T;
export function substitute(value: unknown, ids: Map<string, string>): unknown {
  return ids.size === 0 ? value : replaceIds(value, ids);
}

function replaceIds(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') return ids.get(value) ?? value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const replaced = replaceIds(item, ids);
      if (replaced !== item) {
        out ??= value.slice();
        out[i] = replaced;
      }
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const replaced = replaceIds(item, ids);
    if (replaced !== item) {
      out ??= { ...record };
      // A key `__proto__` (JSON may hold one) is a property here, never the prototype.
      Object.defineProperty(out, key, {
        value: replaced,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
  return out ?? value;
}

/** The row with remapped ids in its uuid and json columns (foreign keys are uuid here). */
export function remapRow(table: CatalogTable, row: Row, ids: Map<string, string>): Row {
  if (ids.size === 0) return row;
  let out: Row | undefined;
  for (const column of table.columns) {
    const value = row[column.name];
    if (value === undefined || value === null) continue;
    if (column.type === 'uuid' || column.type === 'jsonb' || column.type === 'json') {
      const replaced = substitute(value, ids);
      if (replaced !== value) {
        out ??= { ...row };
        out[column.name] = replaced;
      }
    }
  }
  return out ?? row;
}

/**
 * Decides, for every shared row, whether it is upserted, inserted or merged
 * into a row this cell already has; repeats until no parent needs a remap.
 */
async function resolveSharedRows(
  tx: postgres.TransactionSql,
  catalog: UserDataCatalog,
  dump: CollectedRows,
  ids: Map<string, string>,
  remapped: Remapped,
): Promise<Map<string, Action>> {
  for (;;) {
    const actions = new Map<string, Action>();
    let parentRemapped = false;
    for (const table of catalog.tables) {
      const entry = dump.get(table.name) as NonNullable<ReturnType<typeof dump.get>>;
      const shared = entry.rows
        .filter((row) => !entry.owned.has(keyOf(row, table.primaryKey) as string))
        .map((row) => ({ original: row, row: remapRow(table, row, ids) }));
      if (shared.length === 0) continue;
      const actionKey = (row: Row) => `${table.name}:${keyOf(row, table.primaryKey)}`;
      const pending = shared.filter(({ original }) => {
        if (remapped[table.name]?.[String(original[table.primaryKey[0] as string])] === undefined) {
          return true;
        }
        actions.set(actionKey(original), 'merged');
        return false;
      });
      const existing = await selectByKeys(
        tx,
        table,
        table.primaryKey,
        pending.map((p) => p.row),
      );
      const existingKeys = new Set(existing.map((row) => keyOf(row, table.primaryKey)));
      const unresolved = pending.filter(({ original, row }) => {
        if (!existingKeys.has(keyOf(row, table.primaryKey))) return true;
        actions.set(actionKey(original), 'upsert');
        return false;
      });
      for (const unique of table.uniqueKeys) {
        const candidates = unresolved.filter(
          ({ original, row }) =>
            !actions.has(actionKey(original)) && keyOf(row, unique.columns) !== null,
        );
        const holders = await selectByKeys(
          tx,
          table,
          unique.columns,
          candidates.map((c) => c.row),
          unique.predicate,
        );
        const holderOf = new Map(holders.map((h) => [keyOf(h, unique.columns), h]));
        for (const { original, row } of candidates) {
          const holder = holderOf.get(keyOf(row, unique.columns));
          if (!holder) continue;
          actions.set(actionKey(original), 'merged');
          parentRemapped = recordRemap(table, original, holder, ids, remapped) || parentRemapped;
          // Keep a job with its postings: the holder's parents become the user's parents.
          for (const fk of table.parents) {
            const parent = catalog.byName.get(fk.references) as CatalogTable;
            const from = fk.columns.length === 1 ? row[fk.columns[0] as string] : undefined;
            const to = fk.columns.length === 1 ? holder[fk.columns[0] as string] : undefined;
            if (typeof from === 'string' && typeof to === 'string' && from !== to) {
              const parentRow = { [fk.referencedColumns[0] as string]: from } as Row;
              const parentHolder = { [fk.referencedColumns[0] as string]: to } as Row;
              if (
                parent.primaryKey.length === 1 &&
                parent.primaryKey[0] === fk.referencedColumns[0]
              ) {
                parentRemapped =
                  recordRemap(parent, parentRow, parentHolder, ids, remapped) || parentRemapped;
              }
            }
          }
        }
      }
      for (const { original } of unresolved) {
        if (!actions.has(actionKey(original))) actions.set(actionKey(original), 'insert');
      }
    }
    if (!parentRemapped) return actions;
  }
}

/** Records `row`'s id → `holder`'s id; returns whether it is new. */
function recordRemap(
  table: CatalogTable,
  row: Row,
  holder: Row,
  ids: Map<string, string>,
  remapped: Remapped,
): boolean {
  if (table.primaryKey.length !== 1) return false;
  const column = table.primaryKey[0] as string;
  const from = row[column];
  const to = holder[column];
  if (typeof from !== 'string' || typeof to !== 'string' || from === to) return false;
  if (ids.get(from) === to) return false;
  ids.set(from, to);
  remapped[table.name] = { ...remapped[table.name], [from]: to };
  return true;
}

/** Postgres refused a table's rows: a value of the wrong type, a broken reference. */
export class RowsRejectedError extends Error {
  constructor(
    readonly table: string,
    cause: Error,
  ) {
    super(`${table}: ${cause.message}`, { cause });
    this.name = 'RowsRejectedError';
  }
}

/** Data exceptions (class 22) and integrity violations (class 23). */
function isPostgresDataError(error: unknown): error is Error {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

export interface SharedRowsResult {
  remapped: Remapped;
  /** Old id → this cell's id, all tables together (what `remapRow` takes). */
  ids: Map<string, string>;
  /** Shared rows inserted or updated per table. */
  written: Record<string, number>;
}

/**
 * Writes the dump's shared rows (inserted, updated, or merged into this
 * cell's own copy) and returns the remap. Shared rows only reference shared
 * rows, and discovery never deletes or re-parents them, so this runs in its
 * own short transaction under discovery's clustering lock, committed before
 * the user's rows are replaced: concurrent loads into one cell wait for each
 * other only this long. Idempotent.
 */
export async function writeSharedRows(
  tx: postgres.TransactionSql,
  catalog: UserDataCatalog,
  dump: CollectedRows,
): Promise<SharedRowsResult> {
  const ids = new Map<string, string>();
  const remapped: Remapped = {};
  const actions = await resolveSharedRows(tx, catalog, dump, ids, remapped);
  const written: Record<string, number> = {};
  for (const table of catalog.tables) {
    const entry = dump.get(table.name) as CollectedTable;
    // A merged row is this cell's own copy already: only the remap points at it.
    const byAction: Record<'upsert' | 'insert', Row[]> = { upsert: [], insert: [] };
    for (const row of entry.rows) {
      const key = keyOf(row, table.primaryKey) as string;
      if (entry.owned.has(key)) continue;
      const action = actions.get(`${table.name}:${key}`) ?? 'insert';
      if (action !== 'merged') byAction[action].push(remapRow(table, row, ids));
    }
    written[table.name] = await rejectingDataErrors(
      table,
      async () =>
        (await writeRows(tx, table, byAction.upsert, 'upsert')) +
        (await writeRows(tx, table, byAction.insert, 'insert_or_skip')),
    );
  }
  return { remapped, ids, written };
}

/** Whether the dump holds a row this user does not own (a board job). */
export function hasSharedRows(dump: CollectedRows): boolean {
  return [...dump.values()].some((entry) => entry.rows.length > entry.owned.size);
}

/**
 * Whether the cell may hold owned rows of the user. False only when it holds
 * no row of the root (`users`) for them and every user column of the catalog
 * is a foreign key to the root, so no owned row can exist without it (a child
 * without a user column hangs off an owned row). The load of a user new to
 * this cell then skips reading the user's rows only to delete none.
 */
async function mayHoldOwnedRows(
  tx: postgres.TransactionSql,
  catalog: UserDataCatalog,
  userId: string,
): Promise<boolean> {
  const root = catalog.root;
  const everyUserColumnReferencesRoot = catalog.tables.every((table) =>
    table.userColumns.every((column) =>
      table.parents.some(
        (fk) => fk.references === root.name && fk.columns.length === 1 && fk.columns[0] === column,
      ),
    ),
  );
  if (!everyUserColumnReferencesRoot) return true;
  const key = root.primaryKey[0] as string;
  const held = await tx.unsafe(
    `select 1 from ${ident(root.name)} where ${ident(key)} = $1`,
    [userId],
    { prepare: true },
  );
  return held.length > 0;
}

/**
 * Replaces the user's owned rows with the dump's, remapped to this cell's
 * shared rows (written before by `writeSharedRows`). The caller holds the
 * transaction and the user's lock. Returns the rows written per table.
 */
export async function replaceOwnedRows(
  tx: postgres.TransactionSql,
  catalog: UserDataCatalog,
  userId: string,
  dump: CollectedRows,
  ids: Map<string, string>,
): Promise<Record<string, number>> {
  if (await mayHoldOwnedRows(tx, catalog, userId)) {
    await deleteOwnedRows(tx, catalog, await collectUserRows(tx, catalog, userId));
  }
  // Parents first; every table's statements are issued before any answer is awaited.
  const counts = await Promise.all(
    catalog.tables.map((table) => {
      const entry = dump.get(table.name) as CollectedTable;
      const owned = entry.rows
        .filter((row) => entry.owned.has(keyOf(row, table.primaryKey) as string))
        .map((row) => remapRow(table, row, ids));
      return rejectingDataErrors(table, () => writeRows(tx, table, owned, 'insert'));
    }),
  );
  return Object.fromEntries(catalog.tables.map((table, i) => [table.name, counts[i] as number]));
}

async function rejectingDataErrors(
  table: CatalogTable,
  write: () => Promise<number>,
): Promise<number> {
  try {
    return await write();
  } catch (error) {
    if (isPostgresDataError(error)) throw new RowsRejectedError(table.name, error);
    throw error;
  }
}
