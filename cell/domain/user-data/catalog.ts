/**
 * The user-data catalog: which tables hold a user's rows, found in Postgres's
 * own catalog rather than listed by hand, so a table added by a later
 * migration is copied, exported and purged without touching this code.
 *
 * - The **root** is the table that the `user_id` columns reference (`users`).
 * - A **user-keyed** table has a `user_id` or `owner_user_id` uuid column.
 * - A table is **reached** when an included table references it through a
 *   foreign key (the shared `jobs` a user's `user_jobs` point at), or when it
 *   has no user column and references a reached table (a job's `postings`, a
 *   posting's LSH bands, or a future child of `applications`).
 * - Tables whose comment carries `[cell-local]` describe the cell, not a user
 *   (`user_states`, `user_deletions`) and are skipped.
 *
 * A uuid column that names a user but is neither a user column nor a foreign
 * key the catalog follows would hold user data the migrator cannot see: the
 * catalog refuses to build and names it (`UncoveredUserDataError`).
 */
import type postgres from 'postgres';

/** Column names that say "this row belongs to that user". */
export const USER_COLUMNS = ['user_id', 'owner_user_id'] as const;
/** The marker in a table comment that keeps a table out of the user's data. */
export const CELL_LOCAL_MARKER = '[cell-local]';

export interface CatalogColumn {
  name: string;
  /** `format_type` of the column, e.g. `timestamp with time zone`. */
  type: string;
  /** How a value travels in a dump: bytea as base64, int8/numeric as strings (no float rounding). */
  encoding: 'base64' | 'text' | 'json';
}

export interface ForeignKey {
  /** The referencing table and its columns. */
  table: string;
  columns: string[];
  /** The referenced table and its columns, in the same order. */
  references: string;
  referencedColumns: string[];
}

export interface UniqueKey {
  columns: string[];
  /** The partial index's predicate (`owner_user_id IS NULL`), if any. */
  predicate: string | null;
}

export interface CatalogTable {
  name: string;
  columns: CatalogColumn[];
  primaryKey: string[];
  /** `user_id`/`owner_user_id` columns of this table (empty for tables reached through keys). */
  userColumns: string[];
  /** Unique keys other than the primary key, used to find a shared row the target already holds. */
  uniqueKeys: UniqueKey[];
  /** Foreign keys from this table to other catalog tables. */
  parents: ForeignKey[];
  /** Whether this table has an identity column (insert with `overriding system value`). */
  hasIdentity: boolean;
}

export interface UserDataCatalog {
  root: CatalogTable;
  /** Every table holding user rows, parents before children. */
  tables: CatalogTable[];
  byName: Map<string, CatalogTable>;
}

export class UncoveredUserDataError extends Error {
  constructor(readonly uncovered: { table: string; column: string }[]) {
    super(
      `user data the migration cannot see: ${uncovered
        .map((u) => `${u.table}.${u.column}`)
        .join(', ')} (name the column user_id, or add a foreign key to a user-data table, ` +
        `or mark the table ${CELL_LOCAL_MARKER} in its comment)`,
    );
    this.name = 'UncoveredUserDataError';
  }
}

interface RawColumn {
  table: string;
  name: string;
  type: string;
  base_type: string;
  generated: boolean;
  identity: boolean;
}
interface RawConstraint {
  table: string;
  kind: 'p' | 'f';
  columns: string[];
  references: string | null;
  referenced_columns: string[] | null;
}
interface RawIndex {
  table: string;
  columns: string[];
  predicate: string | null;
}

/** Reads the catalog of the current schema. */
export async function loadUserDataCatalog(
  sql: postgres.Sql | postgres.TransactionSql,
): Promise<UserDataCatalog> {
  // Four independent reads, pipelined on the one connection of a transaction.
  const [tables, columns, constraints, indexes] = await Promise.all([
    sql<{ name: string; comment: string | null }[]>`
    select c.relname as name, obj_description(c.oid, 'pg_class') as comment
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname`,
    sql<RawColumn[]>`
    select c.relname as table, a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
           t.typname as base_type, a.attgenerated <> '' as generated, a.attidentity <> '' as identity
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    where n.nspname = current_schema() and c.relkind in ('r', 'p')
      and a.attnum > 0 and not a.attisdropped
    order by c.relname, a.attnum`,
    sql<RawConstraint[]>`
    select c.relname as table, k.contype as kind,
           array(select a.attname from unnest(k.conkey) with ordinality u(n, i)
                 join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n
                 order by u.i)::text[] as columns,
           r.relname as references,
           case when k.contype = 'f' then
             array(select a.attname from unnest(k.confkey) with ordinality u(n, i)
                   join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n
                   order by u.i)::text[] end as referenced_columns
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_class r on r.oid = k.confrelid
    where n.nspname = current_schema() and k.contype in ('p', 'f')
    order by c.relname, k.conname`,
    sql<RawIndex[]>`
    select c.relname as table,
           array(select a.attname from unnest(i.indkey) with ordinality u(n, o)
                 join pg_attribute a on a.attrelid = i.indrelid and a.attnum = u.n
                 order by u.o)::text[] as columns,
           pg_get_expr(i.indpred, i.indrelid) as predicate
    from pg_index i
    join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and i.indisunique and not i.indisprimary
      and i.indexprs is null
    order by c.relname, i.indexrelid`,
  ]);
  return buildCatalog({ tables, columns, constraints, indexes });
}

/**
 * A fingerprint of the current schema's definition: every relation, column,
 * constraint, index and table comment, by oid and the transaction that last
 * wrote it (`xmin`). Any DDL (a migration, a `create table`, a comment) writes
 * one of those catalog rows, so the fingerprint changes with it. One cheap
 * statement, where reading the catalog itself is four joins over it: each
 * catalog row is one 64-bit hash of its numbers, summed (printing, sorting and
 * hashing a string per row took half as long again; the sum of the hashes of
 * a changed set of rows equals the old one with a chance of 2^-64).
 */
async function schemaFingerprint(sql: postgres.Sql | postgres.TransactionSql): Promise<string> {
  const [row] = await sql<{ fingerprint: string }[]>`
    with rel as (
      select c.oid, c.xmin from pg_class c
      where c.relnamespace = current_schema()::regnamespace
    )
    select current_database() || '.' || current_schema() || ':' || count(*) || '.' || sum(h)
      as fingerprint
    from (
      select hashint8extended(rel.oid::int8 << 32 | rel.xmin::text::int8, 1) from rel
      union all
      select hashint8extended((a.attrelid::int8 << 16 | a.attnum) << 32 | a.xmin::text::int8, 2)
      from pg_attribute a join rel on rel.oid = a.attrelid
      union all
      select hashint8extended(k.oid::int8 << 32 | k.xmin::text::int8, 3) from pg_constraint k
      where k.connamespace = current_schema()::regnamespace
      union all
      select hashint8extended(i.indexrelid::int8 << 32 | i.xmin::text::int8, 4)
      from pg_index i join rel on rel.oid = i.indrelid
      union all
      select hashint8extended((d.objoid::int8 << 16 | d.objsubid) << 32 | d.xmin::text::int8, 5)
      from pg_description d join rel on rel.oid = d.objoid
      where d.classoid = 'pg_class'::regclass
    ) s(h)`;
  return row?.fingerprint ?? '';
}

const CACHED_CATALOGS = 16;
const catalogs = new Map<string, UserDataCatalog>();

/**
 * `loadUserDataCatalog`, read again only when the schema changed since: every
 * dump, load, checksum and state change of a migration needs the catalog, and
 * reading it cost more than most of them. Read in the caller's snapshot like
 * the catalog itself, so a dump still sees the catalog of its own rows.
 */
export async function userDataCatalog(
  sql: postgres.Sql | postgres.TransactionSql,
): Promise<UserDataCatalog> {
  const fingerprint = await schemaFingerprint(sql);
  const cached = catalogs.get(fingerprint);
  if (cached) return cached;
  const catalog = await loadUserDataCatalog(sql);
  if (catalogs.size >= CACHED_CATALOGS) catalogs.delete(catalogs.keys().next().value as string);
  catalogs.set(fingerprint, catalog);
  return catalog;
}

function encodingOf(baseType: string): CatalogColumn['encoding'] {
  if (baseType === 'bytea') return 'base64';
  if (baseType === 'int8' || baseType === 'numeric' || baseType === 'money') return 'text';
  return 'json';
}

/** Pure part of `loadUserDataCatalog`: decides which tables hold user rows, and their order. */
export function buildCatalog(raw: {
  tables: { name: string; comment: string | null }[];
  columns: RawColumn[];
  constraints: RawConstraint[];
  indexes: RawIndex[];
}): UserDataCatalog {
  const local = new Set(
    raw.tables.filter((t) => t.comment?.includes(CELL_LOCAL_MARKER)).map((t) => t.name),
  );
  const all = raw.tables.map((t) => t.name).filter((name) => !local.has(name));
  const columnsOf = new Map<string, RawColumn[]>(all.map((name) => [name, []]));
  for (const column of raw.columns) columnsOf.get(column.table)?.push(column);
  const foreignKeys: ForeignKey[] = raw.constraints
    .filter((k) => k.kind === 'f' && k.references && columnsOf.has(k.table))
    .filter((k) => columnsOf.has(k.references as string))
    .map((k) => ({
      table: k.table,
      columns: k.columns,
      references: k.references as string,
      referencedColumns: k.referenced_columns ?? [],
    }));
  const userColumnsOf = (table: string) =>
    (columnsOf.get(table) ?? [])
      .filter((c) => (USER_COLUMNS as readonly string[]).includes(c.name) && c.base_type === 'uuid')
      .map((c) => c.name);

  const roots = new Set(
    foreignKeys
      .filter(
        (fk) => fk.columns.length === 1 && userColumnsOf(fk.table).includes(fk.columns[0] ?? ''),
      )
      .map((fk) => fk.references),
  );
  if (roots.size !== 1) {
    throw new Error(
      `user-data catalog: expected one table referenced by user_id columns, found ${
        roots.size === 0 ? 'none' : [...roots].join(', ')
      }`,
    );
  }
  const rootName = [...roots][0] as string;

  // Static reachability: the same rules the row collector follows.
  const included = new Set<string>([rootName, ...all.filter((t) => userColumnsOf(t).length > 0)]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const fk of foreignKeys) {
      const up = included.has(fk.table) && !included.has(fk.references);
      const down =
        included.has(fk.references) &&
        !included.has(fk.table) &&
        userColumnsOf(fk.table).length === 0;
      if (up) included.add(fk.references);
      if (down) included.add(fk.table);
      changed ||= up || down;
    }
  }

  const uncovered = all
    .filter((table) => !included.has(table))
    .flatMap((table) =>
      (columnsOf.get(table) ?? [])
        .filter((c) => c.base_type === 'uuid' && /(^|_)user(_|$)|user_id$/.test(c.name))
        .map((c) => ({ table, column: c.name })),
    );
  if (uncovered.length > 0) throw new UncoveredUserDataError(uncovered);

  const tables = new Map<string, CatalogTable>();
  for (const name of included) {
    const primaryKey = raw.constraints.find((k) => k.table === name && k.kind === 'p')?.columns;
    if (!primaryKey || primaryKey.length === 0) {
      throw new Error(`user-data catalog: table ${name} holds user rows but has no primary key`);
    }
    const columns = (columnsOf.get(name) ?? []).filter((c) => !c.generated);
    tables.set(name, {
      name,
      columns: columns.map((c) => ({
        name: c.name,
        type: c.type,
        encoding: encodingOf(c.base_type),
      })),
      primaryKey,
      userColumns: name === rootName ? [] : userColumnsOf(name),
      uniqueKeys: raw.indexes
        .filter((index) => index.table === name)
        .map((index) => ({ columns: index.columns, predicate: index.predicate })),
      parents: foreignKeys.filter(
        (fk) => fk.table === name && included.has(fk.references) && fk.references !== name,
      ),
      hasIdentity: columns.some((c) => c.identity),
    });
  }
  const ordered = topologicalOrder(tables);
  const root = tables.get(rootName) as CatalogTable;
  return { root, tables: ordered, byName: tables };
}

/** Parents before children; names break ties so the order is deterministic. */
function topologicalOrder(tables: Map<string, CatalogTable>): CatalogTable[] {
  const order: CatalogTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: CatalogTable, path: string[]) => {
    const seen = state.get(table.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new Error(
        `user-data catalog: foreign keys form a cycle: ${[...path, table.name].join(' -> ')}`,
      );
    }
    state.set(table.name, 'visiting');
    for (const fk of [...table.parents].sort((a, b) => a.references.localeCompare(b.references))) {
      visit(tables.get(fk.references) as CatalogTable, [...path, table.name]);
    }
    state.set(table.name, 'done');
    order.push(table);
  };
  for (const name of [...tables.keys()].sort()) visit(tables.get(name) as CatalogTable, []);
  return order;
}

/** Quotes an identifier for SQL text built from catalog names. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
