/**
 * The migrator's view of a cell's per-user data endpoints
 * (`/internal/v1/users/:userId/...`, see docs/reference/cell.md, "Internal
 * endpoints", and docs/adr/0005-live-per-user-migration.md). One interface, two
 * implementations: {@link HttpCellDataClient} speaks to real cells with the
 * router signature; `router/testing/in-memory-cells.ts` is the test double.
 */

import { type Checksums, checksumDifferences, sameChecksums } from '../../lib/table-checksums.ts';

export {
  type Checksums,
  checksumDifferences,
  sameChecksums,
  type TableChecksum,
} from '../../lib/table-checksums.ts';

/** A user's whole data as the source cell dumped it; the body is passed on unparsed. */
export interface UserDump {
  /** The user dumped (the document's `userId`). */
  userId: string;
  /** The exact JSON document of `GET .../data`, the body of `PUT .../data`. */
  body: Buffer;
  checksums: Checksums;
  /**
   * The same rows hashed by the cell's Postgres with their ids (cheap to ask
   * for again: `GET .../digests`); absent from a cell that does not compute them.
   */
  digests?: Checksums;
}

/**
 * What the target says after a load: its digests when they proved the load
 * (no shared row remapped), else its checksums.
 */
export interface LoadResult {
  digests?: Checksums;
  checksums?: Checksums;
}

/**
 * Whether the target's answer to a load proves it holds the dump's rows:
 * equal digests (the same rows, the same ids), or else equal checksums (the
 * same rows, shared rows named by natural key).
 */
export function loadMatches(dump: UserDump, loaded: LoadResult): boolean {
  if (dump.digests && loaded.digests && sameChecksums(dump.digests, loaded.digests)) return true;
  return loaded.checksums !== undefined && sameChecksums(dump.checksums, loaded.checksums);
}

/** The tables that differ between a dump and the target's answer to its load, for errors. */
export function loadDifferences(dump: UserDump, loaded: LoadResult): string[] {
  if (loaded.checksums) return checksumDifferences(dump.checksums, loaded.checksums);
  return checksumDifferences(dump.digests ?? {}, loaded.digests ?? {});
}

/** The cell refused to freeze: a job of the user is still running (`409 user_busy`). */
export class UserBusyError extends Error {
  override name = 'UserBusyError';
}

/** A cell answered something the protocol does not allow, or could not be reached. */
export class CellDataError extends Error {
  override name = 'CellDataError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface CellDataClient {
  /** `GET .../data`. */
  dump(cellId: string, userId: string): Promise<UserDump>;
  /** `PUT .../data`: replaces the user's rows in one transaction; the cell's digests or checksums after. */
  load(cellId: string, userId: string, dump: UserDump): Promise<LoadResult>;
  /**
   * `POST /internal/v1/user-batches/dump {userIds}`: several users' dumps from
   * one snapshot, in order (each as `dump` gives it).
   */
  dumpMany(cellId: string, userIds: readonly string[]): Promise<UserDump[]>;
  /**
   * `PUT /internal/v1/user-batches/data` (one dump per line): `load` for each
   * dump in one request and transaction, all or nothing; results in order.
   */
  loadMany(cellId: string, dumps: readonly UserDump[]): Promise<LoadResult[]>;
  /** `GET .../checksums`. */
  checksums(cellId: string, userId: string): Promise<Checksums>;
  /** `GET .../digests`. */
  digests(cellId: string, userId: string): Promise<Checksums>;
  /**
   * `PUT .../freeze`: resolves once no job of the user runs, with the frozen
   * user's digests when the cell gives them; {@link UserBusyError} otherwise.
   */
  freeze(cellId: string, userId: string): Promise<{ digests?: Checksums }>;
  /** `DELETE .../freeze`. */
  unfreeze(cellId: string, userId: string): Promise<void>;
  /** `PUT .../tombstone {movedTo}`. */
  tombstone(cellId: string, userId: string, movedTo: string): Promise<void>;
  /** `POST .../activate`. */
  activate(cellId: string, userId: string): Promise<void>;
  /** `DELETE .../data[?reason=account_deleted]`. */
  deleteData(
    cellId: string,
    userId: string,
    options?: { reason?: 'account_deleted' },
  ): Promise<void>;
}
