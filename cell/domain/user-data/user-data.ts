/**
 * One user's data as a whole: the migration dump (`format: 2`), its
 * checksums, loading a dump in one transaction, purging the user's rows, and
 * the user's export. Tables come from the catalog (`catalog.ts`), read in the
 * same transaction as the rows, so a table added by a migration is covered
 * without touching this file.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type postgres from 'postgres';
import { z } from 'zod';
import { type Checksums, sameChecksums } from '../../../lib/table-checksums.ts';
import { zodProblems } from '../../../lib/validation.ts';
import { JOBS_CLUSTER_LOCK } from '../discovery/discovery.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { canonicalJson, type JsonValue, type Row } from './canonical.ts';
import { type CatalogTable, ident, type UserDataCatalog, userDataCatalog } from './catalog.ts';
import { userChecksums } from './checksums.ts';
import { type CollectedRows, classifyRows, collectUserRows } from './collect.ts';
import { type Digests, userDigests } from './digests.ts';
import {
  deleteOwnedRows,
  hasSharedRows,
  type Remapped,
  RowsRejectedError,
  remapRow,
  replaceOwnedRows,
  type SharedRowsResult,
  writeSharedRows,
} from './load.ts';
import { byKeys, countBatch, keyOf, type RowQuery } from './rows.ts';

/**
 * 2: `checksums` cover the user's own rows, shared rows named by natural key
 * (`checksums.ts`). A cell refuses a dump of another format with `400`
 * (`/format`), so a migration between cells of two releases fails and leaves
 * the user on their source, served.
 */
export const DUMP_FORMAT = 2;

export type { Checksums } from '../../../lib/table-checksums.ts';

export interface UserDump {
  format: typeof DUMP_FORMAT;
  userId: string;
  cellId: string;
  /** Every row of the user per table, in primary-key order. */
  tables: Record<string, Row[]>;
  /** The user's own rows per table (`checksums.ts`), what a migration compares. */
  checksums: Checksums;
  /**
   * The same rows hashed by Postgres with their ids (`digests.ts`), from the
   * same snapshot. Optional: a dump without them is loaded and verified by
   * the checksums alone.
   */
  digests?: Digests;
}

/** What the load proved with: this cell's digests, or else its checksums (`verifyLoad`). */
export interface LoadOutcome {
  /**
   * This cell's checksums of the user after the load, when the digests did
   * not prove it (a remap, a dump without digests, digests that differ).
   */
  checksums?: Checksums;
  /**
   * This cell's digests of the user after the load (`digests.ts`), equal to
   * the dump's: the dump carried digests and no shared row was remapped.
   */
  digests?: Digests;
  /** Whether the user's own rows here equal the dump's. */
  matchesDump: boolean;
  /** Shared rows this cell already held under another id: dump id → this cell's id, per table. */
  remapped: Remapped;
}

// A dump arrives as parsed JSON: its values are JSON by construction, so they are not walked
// again (a deep check of every value of a few hundred kilobytes took longer than the load).
const jsonValue = z.unknown() as unknown as z.ZodType<JsonValue>;
const tableChecksums = z.record(
  z.string(),
  z.object({ count: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
);
const dumpSchema = z.object({
  format: z.literal(DUMP_FORMAT),
  userId: z.uuid(),
  cellId: z.string().min(1).max(100).optional(),
  // Each row is checked by `rowProblems` (an object with exactly the table's columns): a zod
  // record per row copied every row of the dump once more.
  tables: z.record(z.string(), z.array(jsonValue)),
  checksums: tableChecksums,
  digests: tableChecksums.optional(),
});

function rowsOf(collected: CollectedRows): Record<string, Row[]> {
  return Object.fromEntries(
    [...collected.values()]
      .sort((a, b) => a.table.name.localeCompare(b.table.name))
      .map((entry) => [entry.table.name, entry.rows]),
  );
}

/** What `UserDataService.load` runs of the caller's, inside its transactions, per user. */
export interface LoadHooks {
  /** Refuses the load (throws) before anything is written; runs in each transaction. */
  check?: (tx: postgres.TransactionSql, userId: string) => Promise<void>;
  /** Runs once the dump is checked, before the user's rows change, in their transaction. */
  beforeLoad?: (tx: postgres.TransactionSql, userId: string) => Promise<void>;
}

/** One user's dump as received, for `UserDataService.loadMany`. */
export interface LoadItem {
  userId: string;
  input: unknown;
}

export class UserDataService {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly cellId: string,
  ) {}

  /** Reads in one snapshot, with timestamps printed in UTC. */
  private snapshot<T>(fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
    return this.sql.begin('isolation level repeatable read read only', async (tx) => {
      await sessionForRows(tx);
      return fn(tx);
    }) as Promise<T>;
  }

  /** The user's rows in `tx`; `NotFoundError` naming a user this cell does not hold. */
  private async collectHeld(
    tx: postgres.TransactionSql,
    catalog: UserDataCatalog,
    userId: string,
  ): Promise<CollectedRows> {
    const collected = await collectUserRows(tx, catalog, userId);
    if ((collected.get(catalog.root.name)?.rows.length ?? 0) === 0) {
      throw new NotFoundError(`No such user in this cell: ${userId}`);
    }
    return collected;
  }

  /** The user's dump; `NotFoundError` for a user this cell does not hold. */
  async dump(userId: string): Promise<UserDump> {
    return (await this.dumpMany([userId]))[0] as UserDump;
  }

  /**
   * Several users' dumps, in order, from one snapshot: one transaction and one
   * catalog read for all, and the users' reads pipelined on its connection
   * (round trips shared instead of paid per user). `NotFoundError` naming the
   * first user this cell does not hold.
   */
  async dumpMany(userIds: readonly string[]): Promise<UserDump[]> {
    return this.snapshot(async (tx) => {
      const catalog = await this.#catalog(tx);
      return Promise.all(
        userIds.map(async (userId) => {
          const collected = await this.collectHeld(tx, catalog, userId);
          return {
            format: DUMP_FORMAT,
            userId,
            cellId: this.cellId,
            tables: rowsOf(collected),
            checksums: await userChecksums(catalog, collected),
            digests: await userDigests(tx, catalog, userId),
          } satisfies UserDump;
        }),
      );
    });
  }

  /**
   * The user's digests (`digests.ts`): one statement, nothing read into this
   * process. `NotFoundError` for a user this cell does not hold.
   */
  async digests(userId: string): Promise<Digests> {
    return this.snapshot(async (tx) => {
      const catalog = await this.#catalog(tx);
      const digests = await userDigests(tx, catalog, userId);
      if ((digests[catalog.root.name]?.count ?? 0) === 0) {
        throw new NotFoundError('No such user in this cell');
      }
      return digests;
    });
  }

  async checksums(userId: string): Promise<Checksums> {
    return this.snapshot(async (tx) => {
      const catalog = await this.#catalog(tx);
      return await userChecksums(catalog, await this.collectHeld(tx, catalog, userId));
    });
  }

  /** The root of the last catalog read here: what `exists` asks. */
  #root: CatalogTable | undefined;

  /** The catalog (`userDataCatalog`), its root remembered. */
  async #catalog(sql: postgres.Sql | postgres.TransactionSql): Promise<UserDataCatalog> {
    const catalog = await userDataCatalog(sql);
    this.#root = catalog.root;
    return catalog;
  }

  /**
   * Whether this cell holds a row of the user. The root table (`users`) is the
   * last catalog's: a migration freezes a user with this check, and the
   * catalog's fingerprint costs more than the lookup.
   */
  async exists(userId: string): Promise<boolean> {
    const root = this.#root ?? (await this.#catalog(this.sql)).root;
    const key = root.primaryKey[0] as string;
    const rows = await this.sql.unsafe(
      `select 1 from ${ident(root.name)} where ${ident(key)} = $1`,
      [userId],
      { prepare: true },
    );
    return rows.length > 0;
  }

  /**
   * Parses and checks a dump's shape for `userId` against this cell's catalog;
   * `ValidationError` otherwise. Its checksums are checked by `load`, against
   * the rows as stored.
   */
  async #parse(
    userId: string,
    input: unknown,
    catalog: UserDataCatalog,
  ): Promise<{ dump: UserDump; rows: CollectedRows }> {
    const parsed = dumpSchema.safeParse(input);
    if (!parsed.success) {
      throw new ValidationError('Invalid user data dump', zodProblems(parsed.error));
    }
    const dump = parsed.data as UserDump;
    const problems: { pointer: string; message: string }[] = [];
    if (dump.userId !== userId) {
      problems.push({ pointer: '/userId', message: 'must be the user of the path' });
    }
    const known = new Set(catalog.tables.map((t) => t.name));
    for (const name of Object.keys(dump.tables)) {
      if (!known.has(name))
        problems.push({
          pointer: `/tables/${name}`,
          message: 'no such user-data table in this cell',
        });
    }
    for (const table of catalog.tables) {
      const rows = dump.tables[table.name];
      if (!rows) {
        problems.push({
          pointer: `/tables/${table.name}`,
          message: 'missing: this cell keeps user rows in it',
        });
        continue;
      }
      problems.push(...rowProblems(table, rows));
      await yieldToEventLoop();
    }
    const root = dump.tables[catalog.root.name] ?? [];
    const rootKey = catalog.root.primaryKey[0] as string;
    if (root.length !== 1 || root[0]?.[rootKey] !== userId) {
      problems.push({
        pointer: `/tables/${catalog.root.name}`,
        message: 'must hold exactly the user',
      });
    }
    const rows =
      problems.length === 0
        ? await classifyRows(catalog, userId, new Map(Object.entries(dump.tables)))
        : new Map();
    if (problems.length > 0) throw new ValidationError('Invalid user data dump', problems);
    return { dump, rows };
  }

  /**
   * Replaces this cell's rows of the user with the dump, then reads them back
   * and checks every row arrived (owned rows byte for byte, shared rows under
   * their possibly remapped id). Idempotent. Two transactions:
   * 1. the dump's shared rows (board jobs), under discovery's clustering lock,
   *    held for a few milliseconds (`writeSharedRows`);
   * 2. the user's own rows, replaced and read back in one transaction: a
   *    failure leaves the user's rows here as they were.
   * `hooks.check` runs in both before anything is written (the caller's state
   * check); `hooks.beforeLoad` runs in the second before any owned row changes
   * (the caller's state change).
   */
  async load(userId: string, input: unknown, hooks: LoadHooks = {}): Promise<LoadOutcome> {
    return (await this.loadMany([{ userId, input }], hooks))[0] as LoadOutcome;
  }

  /**
   * `load` for several users at once, in the same two transactions: one
   * catalog read, one lock of discovery's clustering, one transaction of owned
   * rows and their read-back for all, the read-backs pipelined. All or
   * nothing for the owned rows: any user's bad dump refuses the whole batch
   * (`400` naming that user's dump), and no user's rows here change. Outcomes
   * in the order of `items`.
   */
  async loadMany(items: readonly LoadItem[], hooks: LoadHooks = {}): Promise<LoadOutcome[]> {
    const catalog = await this.#catalog(this.sql);
    // The dump's checksums are checked against its own rows only when this cell's read-back
    // differs from them (below): equal checksums after the load prove both at once.
    const parsed: { userId: string; dump: UserDump; rows: CollectedRows }[] = [];
    for (const [i, { userId, input }] of items.entries()) {
      const { dump, rows } = await this.#parse(userId, input, catalog).catch((error: unknown) => {
        throw inBatch(error, i, items.length);
      });
      parsed.push({ userId, dump, rows });
    }
    // Locks in one order (by user id), whatever the batch's order: two loads never deadlock.
    const locked = [...new Set(items.map((item) => item.userId))].sort();
    const lockUsers = (tx: postgres.TransactionSql) =>
      tx`select pg_advisory_xact_lock(hashtext('user-data:' || u)) from unnest(${locked}::text[]) u`;
    const withShared = parsed.filter((user) => hasSharedRows(user.rows));
    const shared = new Map<string, SharedRowsResult>();
    if (withShared.length > 0) {
      await this.sql.begin(async (tx) => {
        await sessionForRows(tx);
        await lockUsers(tx);
        for (const { userId } of parsed) await hooks.check?.(tx, userId);
        // Shared rows are matched against what discovery holds: discovery clusters under this lock.
        await tx`select pg_advisory_xact_lock(hashtext(${JOBS_CLUSTER_LOCK}))`;
        // One user after the other: a board job two of them point at is written once.
        for (const { userId, rows } of withShared) {
          shared.set(userId, await rejectedAsInvalid(() => writeSharedRows(tx, catalog, rows)));
        }
      });
    }
    const noShared: SharedRowsResult = {
      remapped: {},
      ids: new Map<string, string>(),
      written: {},
    };
    return this.sql.begin(async (tx) => {
      await sessionForRows(tx);
      await lockUsers(tx);
      for (const { userId } of parsed) {
        await hooks.check?.(tx, userId);
        await hooks.beforeLoad?.(tx, userId);
      }
      for (const { userId, rows } of parsed) {
        // A load replacing a user's rows may delete their events (append-only otherwise).
        await tx`select set_config('cell.purging_user', ${userId}, true)`;
        const ids = (shared.get(userId) ?? noShared).ids;
        await rejectedAsInvalid(() => replaceOwnedRows(tx, catalog, userId, rows, ids));
      }
      return Promise.all(
        parsed.map(({ userId, dump, rows }, i) =>
          verifyLoad(tx, catalog, userId, dump, rows, shared.get(userId) ?? noShared).catch(
            (error: unknown) => {
              throw inBatch(error, i, items.length);
            },
          ),
        ),
      );
    }) as Promise<LoadOutcome[]>;
  }

  /**
   * Deletes every row the user owns here (shared rows such as board jobs stay:
   * they are the cell's). Returns rows deleted per table; zero when nothing was left.
   * `beforeCommit` runs in the same transaction.
   */
  async purge(
    userId: string,
    beforeCommit?: (tx: postgres.TransactionSql, deleted: Record<string, number>) => Promise<void>,
  ): Promise<Record<string, number>> {
    return this.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${`user-data:${userId}`}))`;
      await tx`select set_config('cell.purging_user', ${userId}, true)`;
      const catalog = await this.#catalog(tx);
      const collected = await collectUserRows(tx, catalog, userId);
      const deleted = await deleteOwnedRows(tx, catalog, collected);
      await beforeCommit?.(tx, deleted);
      return deleted;
    }) as Promise<Record<string, number>>;
  }
}

/**
 * The transaction's settings for reading and writing rows as JSON: timestamps
 * printed in UTC, and generic plans for the catalog-built statements, which
 * are the same for every user (an equality on a user id, keys from a
 * recordset): planned once per connection instead of on every call.
 */
async function sessionForRows(tx: postgres.TransactionSql): Promise<void> {
  await tx`select set_config('timezone', 'UTC', true),
                  set_config('plan_cache_mode', 'force_generic_plan', true)`;
}

/**
 * After `replaceOwnedRows` in `tx`: proves the user's rows here are the dump's.
 * Equal digests prove it in one statement when no shared row was remapped:
 * the same owned rows with the same ids as the source hashed. The dump's
 * checksums decide nothing then, so they are not computed again here (a pass
 * over every byte of the user): the answer carries the digests only.
 * Otherwise the user is read back and checksummed, and the dump's checksums
 * are checked against its own rows.
 */
async function verifyLoad(
  tx: postgres.TransactionSql,
  catalog: UserDataCatalog,
  userId: string,
  dump: UserDump,
  rows: CollectedRows,
  shared: SharedRowsResult,
): Promise<LoadOutcome> {
  if (dump.digests && Object.keys(shared.remapped).length === 0) {
    const digests = await userDigests(tx, catalog, userId);
    if (sameChecksums(digests, dump.digests)) {
      await verifySharedRowsPresent(tx, catalog, rows);
      return { digests, matchesDump: true, remapped: shared.remapped };
    }
  }
  const after = await collectUserRows(tx, catalog, userId);
  const checksums = await userChecksums(catalog, after);
  const matchesDump =
    canonicalJson(checksums as unknown as JsonValue) ===
    canonicalJson(dump.checksums as unknown as JsonValue);
  if (!matchesDump) {
    // A dump whose checksums do not describe its own rows is refused, and nothing of the
    // user's rows is kept (the transaction rolls back).
    const problems = await checksumProblems(catalog, rows, dump.checksums);
    if (problems.length > 0) throw new ValidationError('Invalid user data dump', problems);
  }
  // Equal checksums already prove the owned rows arrived byte for byte; otherwise they are
  // compared row by row, and a missing one is named.
  verifyLoaded(catalog, userId, new Map(Object.entries(dump.tables)), after, shared.remapped, {
    ownedVerified: matchesDump,
  });
  return { checksums, matchesDump, remapped: shared.remapped };
}

/**
 * A batch's refusal names the dump it is about: its problems' pointers gain
 * the dump's place (`/dumps/<i>`). A load of one user keeps its pointers.
 */
function inBatch(error: unknown, index: number, size: number): unknown {
  if (size > 1 && error instanceof ValidationError) {
    return new ValidationError(
      error.message,
      error.problems.map((p) => ({ ...p, pointer: `/dumps/${index}${p.pointer}` })),
    );
  }
  return error;
}

/**
 * Every shared row of the dump exists here under its id (none was remapped):
 * what `verifyLoaded` checks from a read-back, counted by Postgres instead.
 */
async function verifySharedRowsPresent(
  tx: postgres.TransactionSql,
  catalog: UserDataCatalog,
  rows: CollectedRows,
): Promise<void> {
  const queries: RowQuery[] = [];
  const expected: number[] = [];
  for (const table of catalog.tables) {
    const entry = rows.get(table.name);
    const shared = (entry?.rows ?? []).filter(
      (row) => !entry?.owned.has(keyOf(row, table.primaryKey) as string),
    );
    if (shared.length === 0) continue;
    queries.push(byKeys(tx, table, table.primaryKey, shared));
    expected.push(shared.length);
  }
  const counts = await countBatch(tx, queries);
  const missing = queries.filter((_, i) => counts[i] !== expected[i]).map((q) => q.table.name);
  if (missing.length > 0) {
    throw new ConflictError('The loaded rows do not match the dump', { tables: missing });
  }
}

/** A table's rows Postgres refused (a bad value, a broken reference) are the dump's fault: 400. */
async function rejectedAsInvalid<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof RowsRejectedError)) throw error;
    throw new ValidationError('The dump does not fit this cell', [
      { pointer: `/tables/${error.table}`, message: error.message },
    ]);
  }
}

/** Tables whose checksums in the dump differ from those of the dump's own rows. */
async function checksumProblems(
  catalog: UserDataCatalog,
  rows: CollectedRows,
  claimed: Checksums,
): Promise<{ pointer: string; message: string }[]> {
  const actual = await userChecksums(catalog, rows);
  return [...new Set([...Object.keys(actual), ...Object.keys(claimed)])]
    .filter(
      (name) =>
        canonicalJson((actual[name] as unknown as JsonValue) ?? null) !==
        canonicalJson((claimed[name] as unknown as JsonValue) ?? null),
    )
    .map((name) => ({ pointer: `/checksums/${name}`, message: 'does not match the rows' }));
}

function rowProblems(table: CatalogTable, rows: Row[]): { pointer: string; message: string }[] {
  const expected = table.columns.map((c) => c.name).sort();
  // Column names joined by NUL (which no identifier holds): one string comparison per row.
  const expectedKey = expected.join('\0');
  const problems: { pointer: string; message: string }[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      problems.push({ pointer: `/tables/${table.name}/${i}`, message: 'must be an object' });
      return;
    }
    if (Object.keys(row).sort().join('\0') !== expectedKey) {
      problems.push({
        pointer: `/tables/${table.name}/${i}`,
        message: `columns must be exactly: ${expected.join(', ')}`,
      });
      return;
    }
    const key = keyOf(row, table.primaryKey);
    if (key === null || seen.has(key)) {
      problems.push({
        pointer: `/tables/${table.name}/${i}`,
        message: 'primary key missing or repeated',
      });
    }
    if (key !== null) seen.add(key);
  });
  return problems.slice(0, 20);
}

/**
 * Every owned row of the dump is here byte for byte (after remapping; skipped
 * when the checksums already proved it); every shared row exists.
 */
function verifyLoaded(
  catalog: UserDataCatalog,
  userId: string,
  dump: Map<string, Row[]>,
  after: CollectedRows,
  remapped: Remapped,
  options: { ownedVerified: boolean },
): void {
  const ids = new Map(Object.values(remapped).flatMap((m) => Object.entries(m)));
  const missing: string[] = [];
  for (const table of catalog.tables) {
    const entry = after.get(table.name);
    const present = options.ownedVerified
      ? new Set<string>()
      : new Set(entry?.rows.map((row) => canonicalJson(row)));
    const presentKeys = new Set(entry?.rows.map((row) => keyOf(row, table.primaryKey)));
    for (const row of dump.get(table.name) ?? []) {
      const owned =
        table === catalog.root ||
        (table.userColumns.length > 0 && table.userColumns.some((c) => row[c] === userId));
      if (owned && options.ownedVerified) continue;
      const mapped = remapRow(table, row, ids);
      const ok = owned
        ? present.has(canonicalJson(mapped))
        : presentKeys.has(keyOf(mapped, table.primaryKey));
      if (!ok) missing.push(table.name);
    }
  }
  if (missing.length > 0) {
    throw new ConflictError('The loaded rows do not match the dump', {
      tables: [...new Set(missing)],
    });
  }
}
