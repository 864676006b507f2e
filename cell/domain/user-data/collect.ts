/**
 * Collects every row of one user, following the catalog's rules to a fixed
 * point: the user's row, rows of user-keyed tables, rows they reference
 * (upwards), and rows of tables without a user column that reference a
 * collected row (downwards). Each row is then marked **owned** (it belongs to
 * this user alone: a user column names them, or it hangs off an owned row,
 * like a manual job's posting) or **shared** (cell-wide data the user points
 * at, like a board job deduplicated for every follower).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type postgres from 'postgres';
import type { Row } from './canonical.ts';
import { sortRows } from './canonical.ts';
import type { CatalogTable, UserDataCatalog } from './catalog.ts';
import { byColumn, byKeys, keyOf, type RowQuery, selectBatch } from './rows.ts';

export interface CollectedTable {
  table: CatalogTable;
  /** In dump order (primary key). */
  rows: Row[];
  /** Primary keys (`keyOf`) of the owned rows. */
  owned: Set<string>;
}

export type CollectedRows = Map<string, CollectedTable>;

/**
 * Marks each row owned or shared; `tables` must hold every catalog table. One
 * table at a time, yielding to the event loop in between (the cell serves its
 * other users meanwhile).
 */
export async function classifyRows(
  catalog: UserDataCatalog,
  userId: string,
  tables: Map<string, Row[]>,
): Promise<CollectedRows> {
  const collected: CollectedRows = new Map();
  // Per (table, referenced columns): the keys of owned rows, built once.
  const ownedKeys = new Map<string, Set<string>>();
  const ownedKeysOf = (parent: CollectedTable, columns: readonly string[]) => {
    const id = `${parent.table.name}:${columns.join(',')}`;
    let keys = ownedKeys.get(id);
    if (!keys) {
      keys = new Set();
      for (const row of parent.rows) {
        const key = keyOf(row, columns);
        if (key !== null && parent.owned.has(keyOf(row, parent.table.primaryKey) as string)) {
          keys.add(key);
        }
      }
      ownedKeys.set(id, keys);
    }
    return keys;
  };
  for (const table of catalog.tables) {
    await yieldToEventLoop();
    const rows = sortRows([...(tables.get(table.name) ?? [])], table.primaryKey);
    const owned = new Set<string>();
    for (const row of rows) {
      const mine =
        table === catalog.root
          ? row[table.primaryKey[0] as string] === userId
          : table.userColumns.length > 0
            ? table.userColumns.some((c) => row[c] === userId)
            : // Parents come first in catalog order, so their ownership is known.
              table.parents.some((fk) => {
                const parent = collected.get(fk.references);
                const key = keyOf(row, fk.columns);
                return (
                  parent !== undefined &&
                  key !== null &&
                  ownedKeysOf(parent, fk.referencedColumns).has(key)
                );
              });
      if (mine) owned.add(keyOf(row, table.primaryKey) as string);
    }
    collected.set(table.name, { table, rows, owned });
  }
  return collected;
}

/** Every row of `userId` in this cell, in one consistent snapshot (`tx`). */
export async function collectUserRows(
  tx: postgres.TransactionSql,
  catalog: UserDataCatalog,
  userId: string,
): Promise<CollectedRows> {
  const found = new Map<string, Map<string, Row>>(catalog.tables.map((t) => [t.name, new Map()]));
  const add = (table: CatalogTable, rows: Row[]): boolean => {
    const bucket = found.get(table.name) as Map<string, Row>;
    let added = false;
    for (const row of rows) {
      const key = keyOf(row, table.primaryKey) as string;
      if (!bucket.has(key)) {
        bucket.set(key, row);
        added = true;
      }
    }
    return added;
  };

  // Reads of one round are independent: they go to Postgres as one statement
  // (`selectBatch`), so a round costs one round trip, not one per table.
  const root = catalog.root.primaryKey[0] as string;
  const byUser: RowQuery[] = [
    byColumn(catalog.root, root, userId),
    ...catalog.tables.flatMap((table) =>
      table.userColumns.map((column) => byColumn(table, column, userId)),
    ),
  ];
  for (const [i, rows] of (await selectBatch(tx, byUser)).entries()) {
    add(byUser[i]?.table as CatalogTable, rows);
  }

  // Follow foreign keys until nothing new turns up; each key is asked for once,
  // and a parent row already collected (the user's row, for every user-keyed
  // table) is not asked for again.
  const asked = new Set<string>();
  const edges = catalog.tables.flatMap((table) => table.parents);
  for (let changed = true; changed; ) {
    const round: RowQuery[] = [];
    for (const fk of edges) {
      const child = catalog.byName.get(fk.table) as CatalogTable;
      const parent = catalog.byName.get(fk.references) as CatalogTable;
      const parentRows = found.get(parent.name) as Map<string, Row>;
      const byPrimaryKey = sameColumns(fk.referencedColumns, parent.primaryKey);
      const up = pendingKeys(
        found.get(child.name),
        fk.columns,
        fk.referencedColumns,
        `up:${fk.table}:${fk.columns}`,
        asked,
      ).filter((tuple) => !byPrimaryKey || !parentRows.has(keyOf(tuple, parent.primaryKey) ?? ''));
      if (up.length > 0) round.push(byKeys(tx, parent, fk.referencedColumns, up));
      if (child.userColumns.length > 0 || child === catalog.root) continue;
      const down = pendingKeys(
        parentRows,
        fk.referencedColumns,
        fk.columns,
        `down:${fk.table}:${fk.columns}`,
        asked,
      );
      if (down.length > 0) round.push(byKeys(tx, child, fk.columns, down));
    }
    changed = false;
    for (const [i, rows] of (await selectBatch(tx, round)).entries()) {
      changed = add(round[i]?.table as CatalogTable, rows) || changed;
    }
  }
  return classifyRows(
    catalog,
    userId,
    new Map([...found].map(([name, rows]) => [name, [...rows.values()]])),
  );
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((column, i) => column === b[i]);
}

/** Keys of `rows` on `from` columns not asked yet, renamed to the `to` columns. */
function pendingKeys(
  rows: Map<string, Row> | undefined,
  from: readonly string[],
  to: readonly string[],
  edge: string,
  asked: Set<string>,
): Row[] {
  const tuples: Row[] = [];
  for (const row of rows?.values() ?? []) {
    const key = keyOf(row, from);
    if (key === null || asked.has(`${edge}:${key}`)) continue;
    asked.add(`${edge}:${key}`);
    tuples.push(
      Object.fromEntries(to.map((column, i) => [column, row[from[i] as string] ?? null])),
    );
  }
  return tuples;
}
