/**
 * Runs the current migration operation to its end: the per-user protocol
 * (copy → verify → freeze → catch up → verify → commit → activate target →
 * flip → tombstone source → unfreeze, then a purge after a grace period) for a
 * few users at a time, with every phase recorded in the control plane before
 * the next one starts. Each step is idempotent, so a migrator that died
 * anywhere is simply run again: a user before `committed` is redone from the
 * copy (or rolled back on cancel), a user at or after `committed` is carried
 * forward. See docs/adr/0005-live-per-user-migration.md.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../lib/logger.ts';
import type { ControlPlaneStore } from '../control-plane/control-plane-store.ts';
import {
  type CellDataClient,
  CellDataError,
  type Checksums,
  checksumDifferences,
  loadDifferences,
  loadMatches,
  sameChecksums,
  UserBusyError,
  type UserDump,
} from './cell-data-client.ts';
import type {
  MigrationStore,
  MoveRecord,
  OperationRecord,
  OperationStatus,
} from './migration-store.ts';

/** Progress callbacks, for metrics. */
export interface MigrationObserver {
  moved?(move: MoveRecord, freezeSeconds: number | undefined): void;
  rolledBack?(move: MoveRecord): void;
  failed?(move: MoveRecord, error: string): void;
  purged?(move: MoveRecord): void;
}

export interface MigratorOptions {
  /** Users migrated in parallel. @defaultValue 1 */
  concurrency?: number;
  /**
   * Planned users of one source and target copied together (one dump request,
   * one load request and transaction), then each frozen, caught up and
   * flipped on its own. 1: each user copied alone. @defaultValue 8
   */
  copyBatch?: number;
  /** Source rows are deleted this long after the flip. @defaultValue 60000 */
  purgeGraceMs?: number;
  /** Failed attempts before a user is rolled back and marked failed. @defaultValue 3 */
  maxAttempts?: number;
  /** Freeze tries while the source says `409 user_busy`. @defaultValue 3 */
  busyRetries?: number;
  /** Pause between passes over users that failed and wait for a retry. @defaultValue 500 */
  retryDelayMs?: number;
  /** How often a running operation re-reads its state to notice a cancel. @defaultValue 200 */
  cancelPollMs?: number;
  /**
   * After each user, pause this many times as long as that user took (gh-ost's
   * "nice ratio"): 1 leaves the cells about half the CPU the migrator would
   * take, for the other users' latency, at half the rate. Never inside a
   * user's freeze. @defaultValue 0
   */
  niceRatio?: number;
  /** A pause after each recorded phase, for crash drills that kill the migrator in a given phase. @defaultValue 0 */
  stepDelayMs?: number;
  /**
   * How long a cell may stay unreachable (connection refused or reset, or a
   * 502/503/504 answer) before a move's failures count as attempts. Until then
   * the move is retried with backoff (doubling from `retryDelayMs`, up to 5 s),
   * so a cell restarting under a rebalance does not fail its users.
   * @defaultValue 60000
   */
  unreachableGraceMs?: number;
}

/** A failure that says the cell is down or restarting, not that the move is wrong. */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof CellDataError)) return false;
  return error.status === undefined || [502, 503, 504].includes(error.status);
}

const MAX_BACKOFF_MS = 5_000;

/** Milliseconds spent in each step of one user's move in this run, for the log. */
const stepTimings = new WeakMap<MoveRecord, Record<string, number>>();

async function timed<T>(move: MoveRecord, step: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    const timings = stepTimings.get(move) ?? {};
    timings[step] = Math.round((timings[step] ?? 0) + performance.now() - started);
    stepTimings.set(move, timings);
  }
}

class MoveAbandoned extends Error {
  override name = 'MoveAbandoned';
}

/**
 * Waits `ms`, or less when `signal` aborts. The abort listener goes with the
 * wait (a listener left on the runner's signal per retry leaked, and Node
 * warned after ten).
 */
async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
}

/** From `committed` on a move only goes forward: the target may already serve the user. */
function isCommitted(move: MoveRecord): boolean {
  return move.phase === 'committed' || move.phase === 'flipped' || move.phase === 'tombstoned';
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class Migrator {
  /** Per user in this run: when a move waiting for an unreachable cell may be tried again. */
  readonly #retryAt = new Map<string, number>();
  /** Per user in this run: since when, and how many times, its cells were unreachable. */
  readonly #unreachable = new Map<string, { since: number; failures: number }>();
  /**
   * Per move copied by a batch in this pass (the record it recorded `copied`
   * on, which the same pass advances next): the dump the target verified.
   */
  readonly #copies = new WeakMap<MoveRecord, UserDump>();

  constructor(
    private readonly store: MigrationStore,
    private readonly controlPlane: ControlPlaneStore,
    private readonly cells: CellDataClient,
    private readonly logger: Logger,
    private readonly options: MigratorOptions = {},
    private readonly observer: MigrationObserver = {},
  ) {}

  /**
   * Runs the running (or cancelling) operation until it finishes; resolves with
   * its final status, or undefined when none runs. Stops early when `signal` aborts.
   */
  async runCurrent(signal?: AbortSignal): Promise<OperationStatus | undefined> {
    let operation = await this.store.current();
    if (!operation) return undefined;
    const opId = operation.id;
    let cancelling = operation.state === 'cancelling';
    const poll = setInterval(() => {
      void this.store.operation(opId).then(
        (row) => {
          if (row?.state === 'cancelling') cancelling = true;
        },
        () => {},
      );
    }, this.options.cancelPollMs ?? 200);
    try {
      for (;;) {
        if (signal?.aborted) return undefined;
        const moves = await this.store.unfinishedMoves(opId);
        if (moves.length === 0) break;
        const before = moves.map((m) => `${m.phase}:${m.attempts}`).join();
        const now = Date.now();
        const due = moves.filter((m) => (this.#retryAt.get(m.userId) ?? 0) <= now);
        await this.#pool(due, () => cancelling, signal);
        if (signal?.aborted) return undefined;
        const after = await this.store.unfinishedMoves(opId);
        if (after.length === 0) continue;
        const soonest = Math.min(...after.map((m) => this.#retryAt.get(m.userId) ?? 0));
        if (soonest > Date.now()) {
          await sleep(soonest - Date.now(), signal);
        } else if (after.map((m) => `${m.phase}:${m.attempts}`).join() === before) {
          await sleep(this.options.retryDelayMs ?? 500, signal);
        } else {
          await sleep(Math.min(50, this.options.retryDelayMs ?? 500), signal);
        }
      }
      operation = (await this.store.operation(opId)) ?? operation;
      return await this.#finish(operation, cancelling || operation.state === 'cancelling');
    } finally {
      clearInterval(poll);
    }
  }

  async #finish(operation: OperationRecord, cancelled: boolean): Promise<OperationStatus> {
    const status = await this.store.status(operation);
    if (operation.kind === 'drain' && operation.cellId && !cancelled && status.users.failed === 0) {
      const left = (await this.controlPlane.usersPerCell()).get(operation.cellId) ?? 0;
      if (left === 0) {
        const cell = await this.controlPlane.findCell(operation.cellId);
        if (cell?.state === 'draining') await this.controlPlane.setCellState(cell.id, 'drained');
      }
    }
    if (cancelled) {
      await this.store.finishOperation(operation.id, 'cancelled');
    } else if (status.users.failed > 0) {
      await this.store.finishOperation(
        operation.id,
        'failed',
        `${status.users.failed} of ${status.users.total} users could not be moved; they stay where they are (run it again to retry)`,
      );
    } else {
      await this.store.finishOperation(operation.id, 'completed');
    }
    const final = (await this.store.operation(operation.id)) ?? operation;
    this.logger.info(
      { operationId: operation.id, kind: operation.kind, state: final.state, users: status.users },
      'migration operation finished',
    );
    return this.store.status(final);
  }

  async #pool(
    moves: MoveRecord[],
    cancelling: () => boolean,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const units = this.#units(moves);
    let next = 0;
    const niceRatio = this.options.niceRatio ?? 0;
    const worker = async () => {
      while (next < units.length && !signal?.aborted) {
        const unit = units[next++];
        if (!unit) continue;
        let started = performance.now();
        if (unit.length > 1 && !cancelling()) await this.#copyBatch(unit);
        for (const move of unit) {
          if (signal?.aborted) return;
          await this.#advance(move, cancelling);
          if (niceRatio > 0) await sleep((performance.now() - started) * niceRatio, signal);
          started = performance.now();
        }
      }
    };
    const width = Math.max(1, this.options.concurrency ?? 1);
    await Promise.all(Array.from({ length: Math.min(width, units.length) }, worker));
  }

  /**
   * The pass's work, in order: planned moves with attempts left, in groups of
   * up to `copyBatch` of one source and target (copied together); every
   * other move alone.
   */
  #units(moves: MoveRecord[]): MoveRecord[][] {
    const size = Math.max(1, this.options.copyBatch ?? 8);
    const units: MoveRecord[][] = [];
    const open = new Map<string, MoveRecord[]>();
    for (const move of moves) {
      const batchable =
        size > 1 && move.phase === 'planned' && move.attempts < (this.options.maxAttempts ?? 3);
      if (!batchable) {
        units.push([move]);
        continue;
      }
      const pair = `${move.sourceCell}\n${move.targetCell}`;
      let unit = open.get(pair);
      if (!unit) {
        unit = [];
        open.set(pair, unit);
        units.push(unit);
      }
      unit.push(move);
      if (unit.length >= size) open.delete(pair);
    }
    return units;
  }

  /**
   * Copies planned moves of one source and target together: one dump request,
   * one load request (one transaction in the target), each user's load
   * verified as `#copy` does, then each recorded `copied`. Best effort: a
   * batch that fails (a cell without the batch endpoints, one bad user) leaves
   * its users `planned`, and each is then copied alone, with its own errors
   * and attempts.
   */
  async #copyBatch(moves: MoveRecord[]): Promise<void> {
    const first = moves[0] as MoveRecord;
    const started = performance.now();
    try {
      const userIds = moves.map((m) => m.userId);
      const dumps = await this.cells.dumpMany(first.sourceCell, userIds);
      const dumped = performance.now();
      const loaded = await this.cells.loadMany(first.targetCell, dumps);
      const share = (ms: number) => ms / moves.length;
      for (const [i, move] of moves.entries()) {
        const dump = dumps[i] as UserDump;
        const result = loaded[i];
        if (!result || !loadMatches(dump, result)) continue; // copied alone, and failing there
        const timings = stepTimings.get(move) ?? {};
        timings.dumpMs = Math.round(share(dumped - started));
        timings.loadMs = Math.round(share(performance.now() - dumped));
        timings.copyMs = Math.round(share(performance.now() - started));
        stepTimings.set(move, timings);
        await this.#phase(move, 'copied', { bytes: dump.body.length });
        this.#copies.set(move, dump);
      }
    } catch (error) {
      this.logger.warn(
        {
          from: first.sourceCell,
          to: first.targetCell,
          users: moves.length,
          err: message(error),
        },
        'batch copy failed; copying its users one by one',
      );
    }
  }

  /** Takes one user as far as it goes now; failures are recorded and retried on a later pass. */
  async #advance(move: MoveRecord, cancelling: () => boolean): Promise<void> {
    try {
      if (isCommitted(move)) {
        await this.#forward(move);
        return;
      }
      if (cancelling()) {
        await this.#rollBack(move, 'rolled_back');
        return;
      }
      if (move.attempts >= (this.options.maxAttempts ?? 3)) {
        // Out of attempts and its rollback failed last time: only the rollback is retried.
        await this.#rollBack(move, 'failed');
        return;
      }
      await this.#moveToCommit(move, cancelling);
      await this.#forward(move);
      this.#unreachable.delete(move.userId);
      this.#retryAt.delete(move.userId);
    } catch (error) {
      if (error instanceof MoveAbandoned) return;
      if (isUnreachable(error) && (await this.#waitForCell(move, message(error)))) return;
      await this.#failed(move, message(error));
    }
  }

  /**
   * A cell of the move is unreachable: within the grace period the move is
   * tried again later, with backoff, without spending an attempt (true).
   * After it, the failure counts (false).
   */
  async #waitForCell(move: MoveRecord, why: string): Promise<boolean> {
    const now = Date.now();
    const seen = this.#unreachable.get(move.userId) ?? { since: now, failures: 0 };
    if (now - seen.since >= (this.options.unreachableGraceMs ?? 60_000)) return false;
    seen.failures++;
    this.#unreachable.set(move.userId, seen);
    const delay = Math.min(
      MAX_BACKOFF_MS,
      (this.options.retryDelayMs ?? 500) * 2 ** (seen.failures - 1),
    );
    this.#retryAt.set(move.userId, now + delay);
    await this.store.recordError(move, why).catch(() => {});
    this.logger.warn(
      {
        userId: move.userId,
        from: move.sourceCell,
        to: move.targetCell,
        phase: move.phase,
        retryInMs: delay,
        err: why,
      },
      'a cell of the move is unreachable; retrying',
    );
    return true;
  }

  async #failed(move: MoveRecord, why: string): Promise<void> {
    const attempts = await this.store.recordFailure(move, why).catch(() => move.attempts + 1);
    this.logger.warn(
      {
        userId: move.userId,
        from: move.sourceCell,
        to: move.targetCell,
        phase: move.phase,
        attempts,
        err: why,
      },
      'user migration step failed',
    );
    if (!isCommitted(move) && attempts >= (this.options.maxAttempts ?? 3)) {
      try {
        await this.#rollBack(move, 'failed');
        this.observer.failed?.(move, why);
      } catch (error) {
        // The rollback is retried on the next pass (the move stays unfinished).
        this.logger.warn(
          { userId: move.userId, err: message(error) },
          'rollback failed; will retry',
        );
      }
    }
  }

  /**
   * Copy, verify, freeze, catch up, verify again, then commit: from then on
   * the move only goes forward.
   */
  async #moveToCommit(move: MoveRecord, cancelling: () => boolean): Promise<void> {
    let copied = this.#copies.get(move);
    this.#copies.delete(move);
    /** The frozen source's digests, as its freeze answered them in this run. */
    let frozen: Checksums | undefined;
    if (move.phase === 'planned') {
      copied = await timed(move, 'copyMs', () => this.#copy(move));
      await this.#phase(move, 'copied', { bytes: copied.body.length });
    }
    if (cancelling()) {
      await this.#rollBack(move, 'rolled_back');
      throw new MoveAbandoned();
    }
    if (move.phase === 'copied') {
      // Router first (every replica refuses the user's writes within milliseconds),
      // then the cell (refuses them too, and waits for the user's running jobs and writes).
      const frozenAt = new Date();
      await this.controlPlane.setFrozen(move.userId, move.sourceCell, true);
      frozen = await timed(move, 'cellFreezeMs', () => this.#freezeSource(move));
      await this.#phase(move, 'frozen', { frozenAt });
    }
    if (move.phase === 'frozen') {
      if (cancelling()) {
        await this.#rollBack(move, 'rolled_back');
        throw new MoveAbandoned();
      }
      const caughtUp = await timed(move, 'catchUpMs', () => this.#catchUp(move, copied, frozen));
      // In one run, the catch-up dump of the frozen source and the target's checksums from
      // its load already prove them equal (the cell's freeze waits for every write that
      // started before it). Resumed after a crash, nothing in memory is trusted: read both back.
      if (!caughtUp) await this.#verifyFrozen(move);
      await this.#phase(move, 'committed');
    }
  }

  async #copy(move: MoveRecord): Promise<UserDump> {
    const dump = await timed(move, 'dumpMs', () => this.cells.dump(move.sourceCell, move.userId));
    const loaded = await timed(move, 'loadMs', () =>
      this.cells.load(move.targetCell, move.userId, dump),
    );
    if (!loadMatches(dump, loaded)) {
      throw new Error(
        `copy verification failed: ${loadDifferences(dump, loaded).join(', ')} differ`,
      );
    }
    return dump;
  }

  /** Freezes the user in the source; resolves with the digests its answer carried. */
  async #freezeSource(move: MoveRecord): Promise<Checksums | undefined> {
    const tries = this.options.busyRetries ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.cells.freeze(move.sourceCell, move.userId)).digests;
      } catch (error) {
        if (!(error instanceof UserBusyError) || attempt >= tries) throw error;
      }
    }
  }

  /**
   * Dumps the frozen source again and makes the target equal to it. True when
   * the target is proven equal to this dump (unchanged since a copy verified in
   * this run, or reloaded and verified now).
   */
  async #catchUp(
    move: MoveRecord,
    copied: UserDump | undefined,
    frozen?: Checksums,
  ): Promise<boolean> {
    // Nothing written since the copy: the target is already verified equal. The source's
    // digests (one statement in its Postgres; its checksums from a cell without them) say
    // so, without the whole user crossing the wire a second time.
    if (copied && (await this.#sourceUnchanged(move, copied, frozen))) return true;
    const latest = await this.cells.dump(move.sourceCell, move.userId);
    if (copied && sameChecksums(copied.checksums, latest.checksums)) return true;
    const loaded = await this.cells.load(move.targetCell, move.userId, latest);
    if (!loadMatches(latest, loaded)) {
      throw new Error(
        `catch-up verification failed: ${loadDifferences(latest, loaded).join(', ')} differ`,
      );
    }
    return copied !== undefined;
  }

  /**
   * Whether the source still holds exactly what it dumped for the copy: its
   * digests as its freeze answered them (`frozen`), or as asked now.
   */
  async #sourceUnchanged(
    move: MoveRecord,
    copied: UserDump,
    frozen: Checksums | undefined,
  ): Promise<boolean> {
    if (copied.digests) {
      const now = frozen ?? (await this.cells.digests(move.sourceCell, move.userId));
      return sameChecksums(copied.digests, now);
    }
    return sameChecksums(
      copied.checksums,
      await this.cells.checksums(move.sourceCell, move.userId),
    );
  }

  /**
   * The frozen source and the target hold the same rows, read back from both
   * cells: equal digests, or else equal checksums (a target that remapped a
   * shared row holds other ids). A difference (a write that reached the
   * source after the catch-up dump) is copied again once; a second one fails
   * the attempt.
   */
  async #verifyFrozen(move: MoveRecord): Promise<void> {
    for (let round = 1; ; round++) {
      const digests = await Promise.all([
        this.cells.digests(move.sourceCell, move.userId),
        this.cells.digests(move.targetCell, move.userId),
      ]).catch((error: unknown) => {
        // A cell without digests (or failing to give them) is asked for its checksums below.
        if (error instanceof CellDataError) return undefined;
        throw error;
      });
      if (digests && sameChecksums(digests[0], digests[1])) return;
      const [source, target] = await Promise.all([
        this.cells.checksums(move.sourceCell, move.userId),
        this.cells.checksums(move.targetCell, move.userId),
      ]);
      if (sameChecksums(source, target)) return;
      const tables = checksumDifferences(source, target);
      if (round >= 2) throw new Error(`verification failed: ${tables.join(', ')} differ`);
      this.logger.warn({ userId: move.userId, tables }, 'the frozen source changed; copying again');
      await this.#catchUp(move, undefined);
    }
  }

  /**
   * After the commit: activate the target (it then serves reads and runs the
   * user's jobs; the router still holds their writes), flip the placement,
   * tombstone the source, and let writes through.
   */
  async #forward(move: MoveRecord): Promise<void> {
    if (move.phase === 'committed') {
      await timed(move, 'activateMs', () => this.cells.activate(move.targetCell, move.userId));
      if (!(await timed(move, 'flipMs', () => this.store.flip(move)))) {
        // Only a hand edit of the placement gets here (account deletion waits for moves).
        await this.#phase(move, 'failed');
        await this.store.recordFailure(move, 'the placement left the source during the move');
        throw new MoveAbandoned();
      }
    }
    if (move.phase === 'flipped') {
      await timed(move, 'tombstoneMs', () =>
        this.cells.tombstone(move.sourceCell, move.userId, move.targetCell),
      );
    }
    // `tombstoned` is only recorded by earlier migrators: the tombstone is idempotent, so a
    // crash before the end below tombstones again instead.
    if (move.phase === 'flipped' || move.phase === 'tombstoned') {
      const freezeMs = move.frozenAt ? Date.now() - move.frozenAt.getTime() : undefined;
      // Writes let through at the target and the move done, in one transaction.
      await this.store.finish(move, {
        ...(freezeMs === undefined ? {} : { freezeMs }),
        purgeAfterMs: this.options.purgeGraceMs ?? 60_000,
      });
      if (this.options.stepDelayMs) await sleep(this.options.stepDelayMs);
      this.logger.info(
        {
          userId: move.userId,
          from: move.sourceCell,
          to: move.targetCell,
          bytes: move.bytes,
          freezeMs,
          ...stepTimings.get(move),
        },
        'user moved',
      );
      this.observer.moved?.(move, freezeMs === undefined ? undefined : freezeMs / 1000);
    }
  }

  /** Undoes an uncommitted move: the source serves the user again, the target forgets them. */
  async #rollBack(move: MoveRecord, phase: 'rolled_back' | 'failed'): Promise<void> {
    await this.cells.unfreeze(move.sourceCell, move.userId);
    await this.controlPlane.setFrozen(move.userId, move.sourceCell, false);
    try {
      await this.cells.deleteData(move.targetCell, move.userId);
    } catch (error) {
      // A target that stayed unreachable past the grace period keeps its copy: it is
      // `incoming` there (never served: the placement names the source), and the next
      // move to that cell replaces it. Waiting for it would hold the operation forever.
      const seen = this.#unreachable.get(move.userId);
      const graceOver =
        seen !== undefined &&
        Date.now() - seen.since >= (this.options.unreachableGraceMs ?? 60_000);
      if (!isUnreachable(error) || !graceOver) throw error;
      this.logger.warn(
        { userId: move.userId, cellId: move.targetCell, err: message(error) },
        'the target copy could not be deleted; it stays incoming there until the next move to that cell',
      );
    }
    await this.#phase(move, phase);
    if (phase === 'rolled_back') this.observer.rolledBack?.(move);
  }

  async #phase(...args: Parameters<MigrationStore['setPhase']>): Promise<void> {
    await this.store.setPhase(...args);
    if (this.options.stepDelayMs) await sleep(this.options.stepDelayMs);
  }

  /** Deletes the source rows of moves whose grace period is over; returns how many. */
  async purgeDue(): Promise<number> {
    let purged = 0;
    for (const move of await this.store.duePurges()) {
      try {
        await this.cells.deleteData(move.sourceCell, move.userId);
        await this.store.markPurged(move);
        this.observer.purged?.(move);
        purged++;
      } catch (error) {
        this.logger.warn(
          { userId: move.userId, cellId: move.sourceCell, err: message(error) },
          'purge failed; will retry',
        );
      }
    }
    return purged;
  }
}
