/**
 * Per-table row counts and hashes of one user's rows, as a cell reports them
 * (its checksums, and the digests its Postgres computes), and how two sets
 * compare. Shared by the cell, which checks a load, and the migrator, which
 * checks a copy and a catch-up.
 */

export interface TableChecksum {
  count: number;
  sha256: string;
}

/** Per table: row count and content hash. */
export type Checksums = Record<string, TableChecksum>;

/**
 * Whether two checksum sets describe the same rows. Tables with no rows are
 * ignored, so a side that omits empty tables still compares equal.
 */
export function sameChecksums(a: Checksums, b: Checksums): boolean {
  const nonEmpty = (c: Checksums) =>
    Object.entries(c)
      .filter(([, t]) => t.count > 0)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  const left = nonEmpty(a);
  const right = nonEmpty(b);
  return (
    left.length === right.length &&
    left.every(([table, t], i) => {
      const [otherTable, other] = right[i] ?? [];
      return table === otherTable && t.count === other?.count && t.sha256 === other.sha256;
    })
  );
}

/** The tables whose checksums differ, for error messages. */
export function checksumDifferences(a: Checksums, b: Checksums): string[] {
  const tables = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...tables]
    .filter((table) => {
      const x = a[table];
      const y = b[table];
      if ((x?.count ?? 0) === 0 && (y?.count ?? 0) === 0) return false;
      return x?.count !== y?.count || x?.sha256 !== y?.sha256;
    })
    .sort();
}
