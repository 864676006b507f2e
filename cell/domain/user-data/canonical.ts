/**
 * The canonical form of dumped rows and their checksums. Two cells holding the
 * same rows produce the same bytes: object keys sorted, rows ordered by
 * primary key (numbers numerically, strings by code unit), one row per line.
 */
import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { TableChecksum } from '../../../lib/table-checksums.ts';

/** Per table: row count and hex SHA-256 of the canonical rows, each followed by `\n`. */
export type { TableChecksum } from '../../../lib/table-checksums.ts';

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };
export type Row = Record<string, JsonValue>;

/** JSON with object keys sorted at every depth. (Loops, not map/join: it runs over every dumped row.) */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonicalJson(value[i] as JsonValue);
    }
    return `${out}]`;
  }
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`;
  }
  return `${out}}`;
}

function compareValues(a: JsonValue | undefined, b: JsonValue | undefined): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = typeof a === 'string' ? a : canonicalJson(a ?? null);
  const y = typeof b === 'string' ? b : canonicalJson(b ?? null);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sorts rows in place by their primary key (the deterministic dump order). */
export function sortRows(rows: Row[], primaryKey: readonly string[]): Row[] {
  return rows.sort((a, b) => {
    for (const column of primaryKey) {
      const order = compareValues(a[column], b[column]);
      if (order !== 0) return order;
    }
    return 0;
  });
}

export function tableChecksum(rows: readonly Row[]): TableChecksum {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${canonicalJson(row)}\n`);
  return { count: rows.length, sha256: hash.digest('hex') };
}

/**
 * Checksums of every table of a dump, keyed like the dump (by name). One table
 * at a time, yielding to the event loop in between: a cell keeps serving its
 * other users while it checksums a moving one.
 */
export async function checksumTables(
  tables: Readonly<Record<string, readonly Row[]>>,
): Promise<Record<string, TableChecksum>> {
  const checksums: Record<string, TableChecksum> = {};
  for (const name of Object.keys(tables).sort()) {
    await yieldToEventLoop();
    checksums[name] = tableChecksum(tables[name] ?? []);
  }
  return checksums;
}
