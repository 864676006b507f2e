/**
 * A cell of many users for a benchmark, made in SQL rather than through the API:
 * every user-data row the cell holds (its seeded users, their jobs, boards and
 * applications) copied `copies` times with new ids. Tables and columns come from
 * the user-data catalog, so a table added later is copied too.
 */
import type postgres from 'postgres';
import {
  type CatalogColumn,
  type CatalogTable,
  ident,
  loadUserDataCatalog,
} from '../cell/domain/user-data/catalog.ts';

const isText = (type: string) => type === 'text' || type.startsWith('character');

/**
 * The value of `column` in the `k`-th copy of a row (alias `t`): ids (uuids, and bigint keys)
 * mapped per copy, the same way in every table, so copies reference copies; in a unique key
 * of text only (an email, a job's fingerprint, a posting's external id), its last text column
 * prefixed with the copy's number; anything else as it is (a copy follows the same boards).
 */
function copiedValue(table: CatalogTable, column: CatalogColumn): string {
  const ref = `t.${ident(column.name)}`;
  if (column.type === 'uuid') return `md5(${ref}::text || ':' || k)::uuid`;
  const typeOf = (name: string) => table.columns.find((c) => c.name === name)?.type ?? '';
  const keys = [
    table.primaryKey,
    ...table.parents.map((fk) => fk.columns),
    ...table.uniqueKeys.map((u) => u.columns),
  ];
  // A key with a uuid in it is new in each copy already (a band's hash stays as it is).
  const hasUuid = (key: readonly string[]) => key.some((name) => typeOf(name) === 'uuid');
  if (column.type === 'bigint' && keys.some((key) => key.includes(column.name) && !hasUuid(key))) {
    return `${ref} + k * 1000000000`;
  }
  const mappedElsewhere = (key: readonly string[]) =>
    key.some((name) => typeOf(name) === 'uuid' || typeOf(name) === 'bigint');
  const lastTextOfUnique = table.uniqueKeys.some(
    (u) =>
      !mappedElsewhere(u.columns) &&
      u.columns.filter((n) => isText(typeOf(n))).at(-1) === column.name,
  );
  return isText(column.type) && lastTextOfUnique ? `k || '~' || ${ref}` : ref;
}

/**
 * Gives `sql`'s cell `copies` more copies of every user-data row it holds (the seeded
 * users, with new ids): a cell of many users, made in a few statements instead of through
 * the API. Parents before children, so every reference finds its copy.
 */
export async function fillCell(sql: postgres.Sql, copies: number): Promise<void> {
  const catalog = await loadUserDataCatalog(sql);
  for (const table of catalog.tables) {
    const names = table.columns.map((c) => ident(c.name)).join(', ');
    const values = table.columns.map((c) => copiedValue(table, c)).join(', ');
    await sql.unsafe(
      `insert into ${ident(table.name)} (${names})${table.hasIdentity ? ' overriding system value' : ''}
       select ${values} from ${ident(table.name)} t, generate_series(1, ${copies}) k`,
    );
  }
  await sql`vacuum analyze`;
}
