/**
 * Reading and writing catalog tables as JSON rows. Values cross the wire the
 * way Postgres prints them as JSON (`json_agg`, with the session in UTC so
 * timestamps keep their microseconds), except bytea (base64) and int8/numeric
 * (strings, so no float rounds them). Writing goes back through
 * `jsonb_to_recordset`, which parses each value with its column's type.
 */
import type postgres from 'postgres';
import type { JsonValue, Row } from './canonical.ts';
import { canonicalJson } from './canonical.ts';
import type { CatalogColumn, CatalogTable } from './catalog.ts';
import { ident } from './catalog.ts';

type Sql = postgres.TransactionSql;

function selectExpression(column: CatalogColumn, alias: string): string {
  const ref = `${alias}.${ident(column.name)}`;
  switch (column.encoding) {
    case 'base64':
      return `translate(encode(${ref}, 'base64'), E'\\n', '') as ${ident(column.name)}`;
    case 'text':
      return `${ref}::text as ${ident(column.name)}`;
    case 'json':
      return `${ref} as ${ident(column.name)}`;
  }
}

/** `x(col type, …)` for `jsonb_to_recordset`; base64 columns arrive as text. */
function recordsetDefinition(columns: readonly CatalogColumn[]): string {
  return `x(${columns
    .map((c) => `${ident(c.name)} ${c.encoding === 'base64' ? 'text' : c.type}`)
    .join(', ')})`;
}

function recordsetValue(column: CatalogColumn): string {
  const ref = `x.${ident(column.name)}`;
  return column.encoding === 'base64' ? `decode(${ref}, 'base64')` : ref;
}

function columnsNamed(table: CatalogTable, names: readonly string[]): CatalogColumn[] {
  return names.map((name) => {
    const column = table.columns.find((c) => c.name === name);
    if (!column) throw new Error(`${table.name} has no column ${name}`);
    return column;
  });
}

/** The key of a row for `columns`, as one string (null when any part is null). */
export function keyOf(row: Row, columns: readonly string[]): string | null {
  if (columns.length === 1) {
    // The common case (a uuid primary key), the same string as below.
    const value = row[columns[0] as string] ?? null;
    if (value === null) return null;
    if (typeof value !== 'object') return `[${JSON.stringify(value)}]`;
  }
  const values = columns.map((c) => row[c] ?? null);
  if (values.some((v) => v === null)) return null;
  return canonicalJson(values);
}

/**
 * Statements built from the catalog are the same text for every user, so
 * they are prepared once per connection (postgres.js keys them by text), not
 * parsed, described and planned again on each call.
 */
const PREPARED = { prepare: true } as const;

/** Allocates the next bind parameter of a statement for `value` and returns its `$n`. */
export type Param = (value: postgres.ParameterOrJSON<never>) => string;

/** A read of one table: the rows of `source` (as `t`) matching `where` (SQL over `t`). */
export interface RowQuery {
  table: CatalogTable;
  /** What `t` is read from; the table itself when absent. */
  source?: (param: Param) => string;
  /** Every row of the source when absent. */
  where?: (param: Param) => string;
}

/** The query's `from … where …`. */
function fromWhere(query: RowQuery, param: Param): string {
  const from = query.source ? query.source(param) : `${ident(query.table.name)} t`;
  return query.where ? `${from} where ${query.where(param)}` : from;
}

/**
 * Runs several reads as **one statement**: each read is a scalar subquery
 * returning its rows as one JSON array (`json_agg`: the rows' text as is,
 * where `jsonb_agg` built a binary document first only to print it again), so a round of reads costs one round
 * trip and one plan, whatever the number of tables. Results in query order.
 */
export async function selectBatch(tx: Sql, queries: readonly RowQuery[]): Promise<Row[][]> {
  if (queries.length === 0) return [];
  const params: postgres.ParameterOrJSON<never>[] = [];
  const param: Param = (value) => {
    params.push(value);
    return `$${params.length}`;
  };
  const columns = queries.map((query, i) => {
    const list = query.table.columns.map((c) => selectExpression(c, 't')).join(', ');
    return `(select coalesce(json_agg(r), '[]')::text from (select ${list} from ${fromWhere(query, param)}) r) as q${i}`;
  });
  const [row] = await tx.unsafe<Record<string, string>[]>(
    `select ${columns.join(', ')}`,
    params,
    PREPARED,
  );
  return queries.map((_, i) => JSON.parse(row?.[`q${i}`] ?? '[]') as Row[]);
}

/** How many rows each read matches, as one statement (`selectBatch` without the rows). */
export async function countBatch(tx: Sql, queries: readonly RowQuery[]): Promise<number[]> {
  if (queries.length === 0) return [];
  const params: postgres.ParameterOrJSON<never>[] = [];
  const param: Param = (value) => {
    params.push(value);
    return `$${params.length}`;
  };
  const columns = queries.map(
    (query, i) => `(select count(*)::int from ${fromWhere(query, param)}) as q${i}`,
  );
  const [row] = await tx.unsafe<Record<string, number>[]>(
    `select ${columns.join(', ')}`,
    params,
    PREPARED,
  );
  return queries.map((_, i) => row?.[`q${i}`] ?? 0);
}

/** Rows whose `column` equals `value` (a user id). */
export function byColumn(table: CatalogTable, column: string, value: string): RowQuery {
  return { table, where: (param) => `t.${ident(column)} = ${param(value)}` };
}

/**
 * The distinct keys of `tuples` as rows `k(<columns>)`, each followed by the
 * rows of `table` (as `t`) that hold it: a lateral subquery behind `offset 0`,
 * so each key is one index lookup whatever the planner guesses.
 * `jsonb_to_recordset` is always guessed at 100 rows; with that guess, as a
 * plain `in (…)` or join, a key that matches a few dozen rows (a posting's
 * bands, a job's postings) made a hash join over the whole table look cheaper
 * than the lookups, and every read of a user then scanned the table.
 */
function keyedSource(
  tx: Sql,
  table: CatalogTable,
  columns: readonly string[],
  tuples: readonly Row[],
  predicate: string | null | undefined,
): (param: Param) => string {
  const keyColumns = columnsNamed(table, columns);
  const names = keyColumns.map((c) => ident(c.name)).join(', ');
  const values = keyColumns.map(recordsetValue).join(', ');
  const matches = keyColumns.map((c) => `t.${ident(c.name)} = k.${ident(c.name)}`).join(' and ');
  return (param) =>
    `(select distinct ${values} from jsonb_to_recordset(${param(
      tx.json(tuples as unknown as postgres.JSONValue),
    )}::jsonb) as ${recordsetDefinition(keyColumns)}) as k(${names})
     cross join lateral (select * from ${ident(table.name)} t where ${matches}${
       predicate ? ` and (${predicate})` : ''
     } offset 0) as t`;
}

/**
 * Rows whose `columns` equal one of `tuples` (each a row holding those
 * columns), optionally only those matching a partial index's predicate.
 */
export function byKeys(
  tx: Sql,
  table: CatalogTable,
  columns: readonly string[],
  tuples: readonly Row[],
  predicate?: string | null,
): RowQuery {
  return { table, source: keyedSource(tx, table, columns, tuples, predicate) };
}

/** `byKeys` as a statement of its own. */
export async function selectByKeys(
  tx: Sql,
  table: CatalogTable,
  columns: readonly string[],
  tuples: readonly Row[],
  predicate?: string | null,
): Promise<Row[]> {
  if (tuples.length === 0) return [];
  const [rows] = await selectBatch(tx, [byKeys(tx, table, columns, tuples, predicate)]);
  return rows ?? [];
}

export type WriteMode = 'insert' | 'insert_or_skip' | 'upsert';

/**
 * Writes rows: plain insert, insert skipping any conflict, or insert-or-update
 * on the primary key. Its statements are issued synchronously, at the call.
 */
export async function writeRows(
  tx: Sql,
  table: CatalogTable,
  rows: readonly Row[],
  mode: WriteMode,
): Promise<number> {
  if (rows.length === 0) return 0;
  const names = table.columns.map((c) => ident(c.name)).join(', ');
  const values = table.columns.map(recordsetValue).join(', ');
  const updatable = table.columns.filter((c) => !table.primaryKey.includes(c.name));
  const conflict =
    mode === 'insert'
      ? ''
      : mode === 'insert_or_skip' || updatable.length === 0
        ? ' on conflict do nothing'
        : ` on conflict (${table.primaryKey.map(ident).join(', ')}) do update set ${updatable
            .map((c) => `${ident(c.name)} = excluded.${ident(c.name)}`)
            .join(', ')}`;
  const CHUNK = 1_000;
  // Every chunk is sent before any answer is awaited (pipelined, in order), so
  // callers may pipeline several tables' writes, parents before children.
  const results: Promise<postgres.RowList<postgres.Row[]>>[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    results.push(
      tx.unsafe(
        `insert into ${ident(table.name)} (${names})${table.hasIdentity ? ' overriding system value' : ''}
       select ${values} from jsonb_to_recordset($1::jsonb) as ${recordsetDefinition(table.columns)}${conflict}`,
        [tx.json(chunk as unknown as postgres.JSONValue)],
        PREPARED,
      ),
    );
  }
  return (await Promise.all(results)).reduce((sum, result) => sum + result.count, 0);
}

/** Deletes rows by primary key. */
export async function deleteRows(
  tx: Sql,
  table: CatalogTable,
  rows: readonly Row[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const keyColumns = columnsNamed(table, table.primaryKey);
  const keys = rows.map((row) =>
    Object.fromEntries(table.primaryKey.map((c) => [c, row[c] ?? null])),
  ) as Record<string, JsonValue>[];
  const left = keyColumns.map((c) => ident(c.name)).join(', ');
  const right = keyColumns.map(recordsetValue).join(', ');
  const result = await tx.unsafe(
    `delete from ${ident(table.name)} where (${left}) in
       (select ${right} from jsonb_to_recordset($1::jsonb) as ${recordsetDefinition(keyColumns)})`,
    [tx.json(keys as unknown as postgres.JSONValue)],
    PREPARED,
  );
  return result.count;
}
