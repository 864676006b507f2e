/**
 * Digests: a user's own rows per table, counted and hashed by Postgres itself
 * in one statement, with every value as stored (ids included). Where the
 * checksums (`checksums.ts`) read every row into this process, name shared
 * rows by their natural key and hash canonical JSON, a digest never leaves
 * the database: the rows are printed as `jsonb` (keys sorted, one spelling per
 * value) and hashed with SHA-256 in primary-key order.
 *
 * What they prove: two cells with equal digests hold the same owned rows with
 * the same ids. That is the common case of a move (the target took the dump's
 * shared rows under their own ids), and it is what a migration compares
 * within one cell (the frozen source against its own dump). When the target
 * kept its own copy of a shared row (a remap, `load.ts`), the user's rows
 * there name another id and the digests differ: the checksums, which name
 * shared rows by natural key, decide then.
 *
 * Which rows are the user's follows `classifyRows`: the user's row, rows
 * whose user column names them, and rows of tables without one that reference
 * an owned row. The statement is built from the catalog, so a table added by
 * a migration is covered like everywhere else.
 */
import type postgres from 'postgres';
import type { Checksums } from '../../../lib/table-checksums.ts';
import { type CatalogTable, ident, type UserDataCatalog } from './catalog.ts';

export type Digests = Checksums;

/** Text types sort by the database's collation unless told: bytewise, the same in every cell. */
function orderColumn(table: CatalogTable, column: string): string {
  const type = table.columns.find((c) => c.name === column)?.type ?? '';
  const textual = type === 'text' || type.startsWith('character');
  return `o.${ident(column)}${textual ? ' collate "C"' : ''}`;
}

/**
 * `with o0 as (…), o1 as (…)`: the user's own rows of each catalog table
 * (`$1` is the user id), parents before children, and the CTE name of each.
 */
function ownedRowsCtes(catalog: UserDataCatalog): {
  sql: string;
  names: Map<string, string>;
} {
  const names = new Map<string, string>();
  const parts: string[] = [];
  catalog.tables.forEach((table, i) => {
    const name = `o${i}`;
    let where: string;
    if (table === catalog.root) {
      where = `t.${ident(table.primaryKey[0] as string)} = $1`;
    } else if (table.userColumns.length > 0) {
      where = table.userColumns.map((column) => `t.${ident(column)} = $1`).join(' or ');
    } else {
      // Parents come first in catalog order: their owned rows are already named.
      const conditions = table.parents.flatMap((fk) => {
        const parent = names.get(fk.references);
        if (!parent) return [];
        const matches = fk.columns
          .map((column, k) => `p.${ident(fk.referencedColumns[k] as string)} = t.${ident(column)}`)
          .join(' and ');
        return [`exists (select 1 from ${parent} p where ${matches})`];
      });
      where = conditions.length > 0 ? conditions.join(' or ') : 'false';
    }
    names.set(table.name, name);
    parts.push(`${name} as (select t.* from ${ident(table.name)} t where ${where})`);
  });
  return { sql: `with ${parts.join(',\n')}`, names };
}

const statements = new WeakMap<UserDataCatalog, string>();

function digestStatement(catalog: UserDataCatalog): string {
  let text = statements.get(catalog);
  if (text) return text;
  const { sql, names } = ownedRowsCtes(catalog);
  const selects = catalog.tables.map((table) => {
    const order = table.primaryKey.map((column) => orderColumn(table, column)).join(', ');
    return `select ${`'${table.name.replaceAll("'", "''")}'`} as name, count(*)::int as count,
      encode(sha256(convert_to(coalesce(string_agg(to_jsonb(o)::text, E'\\n' order by ${order}), ''), 'UTF8')), 'hex') as sha256
      from ${names.get(table.name)} o`;
  });
  text = `${sql}\n${selects.join('\nunion all\n')}`;
  statements.set(catalog, text);
  return text;
}

/** The user's digests in this cell, per catalog table (zero-count tables included). */
export async function userDigests(
  sql: postgres.Sql | postgres.TransactionSql,
  catalog: UserDataCatalog,
  userId: string,
): Promise<Digests> {
  const rows = await sql.unsafe<{ name: string; count: number; sha256: string }[]>(
    digestStatement(catalog),
    [userId],
    { prepare: true },
  );
  return Object.fromEntries(rows.map((r) => [r.name, { count: r.count, sha256: r.sha256 }]));
}
