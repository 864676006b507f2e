/**
 * The cell lifecycle operations behind the admin API and cellctl: add a cell,
 * rebalance (with a dry run), drain with migration, remove an empty cell,
 * move or unpin one user, cancel, and status. Each writes its intent to the
 * control plane and wakes the runner; the migrator does the work.
 */
import { isUuid } from '../../lib/ids.ts';
import type { CellRecord, ControlPlaneStore } from '../control-plane/control-plane-store.ts';
import type { ControlPlaneSync } from '../control-plane/control-plane-sync.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import type { AccountStore } from '../identity/account-store.ts';
import { RendezvousRing } from '../placement/ring.ts';
import type { CellDataClient } from './cell-data-client.ts';
import type { MigrationStore, OperationStatus, PlannedMove } from './migration-store.ts';
import { type MigrationPlanner, summarise } from './planner.ts';

/** Dumps sampled per source → target pair to estimate the bytes of a dry run. */
const BYTES_SAMPLE = 20;

export interface DryRunPlan {
  users: number;
  bytes: number | null;
  /** True when the bytes were extrapolated from a sample of each pair's users. */
  bytesEstimated: boolean;
  pairs: { from: string; to: string; users: number; bytes: number | null }[];
}

export class MigrationService {
  constructor(
    private readonly controlPlane: ControlPlaneStore,
    private readonly accounts: AccountStore,
    private readonly migrations: MigrationStore,
    private readonly planner: MigrationPlanner,
    private readonly cells: CellDataClient,
    private readonly sync: ControlPlaneSync,
    private readonly wake: () => void,
  ) {}

  async #cell(cellId: string): Promise<CellRecord> {
    const cell = await this.controlPlane.findCell(cellId);
    if (!cell) throw new NotFoundError(`No cell ${cellId}`);
    return cell;
  }

  async #status(operation: { id: string } | undefined): Promise<OperationStatus | null> {
    if (!operation) return null;
    const row = await this.migrations.operation(operation.id);
    return row ? this.migrations.status(row) : null;
  }

  async #start(kind: 'rebalance' | 'drain' | 'move', cellId: string | null, moves: PlannedMove[]) {
    const operation = await this.migrations.createOperation(kind, cellId, moves);
    this.wake();
    return this.#status(operation);
  }

  /** Registers a cell (or refreshes its url and weight), then rebalances onto it. */
  async addCell(
    input: { id: string; url: string; weight: number },
    options: { rebalance: boolean },
  ) {
    const before = await this.controlPlane.findCell(input.id);
    await this.controlPlane.upsertCells([input]);
    await this.sync.reload();
    const cell = await this.#cell(input.id);
    let operation: OperationStatus | null = null;
    let rebalance: 'started' | 'nothing_to_move' | 'skipped' | 'migration_running' = 'skipped';
    if (options.rebalance) {
      const running = await this.migrations.current();
      if (running) {
        operation = await this.#status(running);
        rebalance = 'migration_running';
      } else {
        const moves = await this.planner.rebalance();
        if (moves.length === 0) rebalance = 'nothing_to_move';
        else {
          operation = await this.#start('rebalance', null, moves);
          rebalance = 'started';
        }
      }
    }
    return { cell, created: !before, rebalance, operation };
  }

  /** Starts a rebalance, or with `dryRun` only says what it would move. */
  async rebalance(options: { dryRun: boolean }) {
    const running = await this.migrations.current();
    if (running) {
      throw new ConflictError(
        'migration_running',
        `A ${running.kind} is running (${running.id}); wait for it or cancel it`,
        { operationId: running.id, kind: running.kind },
      );
    }
    const moves = await this.planner.rebalance();
    if (options.dryRun) return { dryRun: true, plan: await this.#dryRun(moves), operation: null };
    if (moves.length === 0) return { dryRun: false, plan: summarise(moves), operation: null };
    return {
      dryRun: false,
      plan: summarise(moves),
      operation: await this.#start('rebalance', null, moves),
    };
  }

  async #dryRun(moves: PlannedMove[]): Promise<DryRunPlan> {
    const byPair = new Map<string, PlannedMove[]>();
    for (const move of moves) {
      const key = `${move.sourceCell} ${move.targetCell}`;
      byPair.set(key, [...(byPair.get(key) ?? []), move]);
    }
    let estimated = false;
    const pairs = await Promise.all(
      summarise(moves).pairs.map(async (pair) => {
        const users = byPair.get(`${pair.from} ${pair.to}`) ?? [];
        const sample = users.slice(0, BYTES_SAMPLE);
        if (sample.length < users.length) estimated = true;
        try {
          let sampled = 0;
          for (const move of sample) {
            sampled += (await this.cells.dump(move.sourceCell, move.userId)).body.length;
          }
          const bytes = sample.length ? Math.round((sampled / sample.length) * users.length) : 0;
          return { ...pair, bytes };
        } catch {
          return { ...pair, bytes: null };
        }
      }),
    );
    const known = pairs.every((pair) => pair.bytes !== null);
    return {
      users: moves.length,
      bytes: known ? pairs.reduce((sum, pair) => sum + (pair.bytes ?? 0), 0) : null,
      bytesEstimated: estimated,
      pairs,
    };
  }

  /**
   * Drains a cell with migration: it stops receiving users at once, keeps
   * serving the ones it has, and ends `drained` once all moved away.
   */
  async drain(cellId: string) {
    const cell = await this.#cell(cellId);
    const running = await this.migrations.current();
    if (running) {
      if (running.kind === 'drain' && running.cellId === cellId) {
        return { cell, operation: await this.#status(running) };
      }
      throw new ConflictError(
        'migration_running',
        `A ${running.kind} is running (${running.id}); wait for it or cancel it`,
        { operationId: running.id, kind: running.kind },
      );
    }
    const others = (await this.controlPlane.listCells()).filter(
      (c) => c.state === 'active' && c.id !== cellId,
    );
    const users = (await this.controlPlane.usersPerCell()).get(cellId) ?? 0;
    if (users > 0 && others.length === 0) {
      throw new ConflictError(
        'conflict',
        `No other active cell can take the ${users} users of ${cellId}`,
      );
    }
    if (cell.state !== 'drained') await this.controlPlane.setCellState(cellId, 'draining');
    await this.sync.reload();
    const moves = await this.planner.drain(cellId);
    if (moves.length === 0) {
      const drained = (await this.controlPlane.setCellState(cellId, 'drained')) ?? cell;
      await this.sync.reload();
      return { cell: drained, operation: null };
    }
    const operation = await this.#start('drain', cellId, moves);
    return { cell: await this.#cell(cellId), operation };
  }

  /** Makes a drained, draining or down cell active again (no migration runs for it). */
  async activate(cellId: string) {
    await this.#cell(cellId);
    const running = await this.migrations.current();
    if (running?.kind === 'drain' && running.cellId === cellId) {
      throw new ConflictError(
        'migration_running',
        `${cellId} is being drained (${running.id}); cancel it first`,
        { operationId: running.id, kind: running.kind },
      );
    }
    const cell = await this.controlPlane.setCellState(cellId, 'active');
    await this.sync.reload();
    return cell;
  }

  /** Unregisters a cell with no users; 409 `cell_not_empty` otherwise. */
  async removeCell(cellId: string): Promise<void> {
    await this.#cell(cellId);
    const running = await this.migrations.current();
    if (running) {
      throw new ConflictError(
        'migration_running',
        `A ${running.kind} is running (${running.id}); remove ${cellId} after it`,
        { operationId: running.id, kind: running.kind },
      );
    }
    const users = await this.controlPlane.deleteEmptyCell(cellId);
    if (users === undefined) throw new NotFoundError(`No cell ${cellId}`);
    if (users > 0) {
      throw new ConflictError(
        'cell_not_empty',
        `${cellId} still holds ${users} user${users === 1 ? '' : 's'}; drain it first: cellctl drain ${cellId}`,
        { users, command: `cellctl drain ${cellId}` },
      );
    }
    await this.sync.reload();
  }

  async #user(ref: string): Promise<{ userId: string; email: string | null }> {
    if (ref.includes('@')) {
      const account = await this.accounts.findByEmail(ref.trim());
      if (!account) throw new NotFoundError(`No account with email ${ref}`);
      return { userId: account.id, email: account.email };
    }
    if (!isUuid(ref)) throw new InvalidInputError('Expected a user id (UUID) or an email');
    return { userId: ref, email: (await this.accounts.findById(ref))?.email ?? null };
  }

  /** Migrates one user to a named cell and pins them there. */
  async moveUser(ref: string, cellId: string, reason: string) {
    const { userId } = await this.#user(ref);
    const target = await this.#cell(cellId);
    const placement = await this.controlPlane.placementOf(userId);
    if (!placement) throw new NotFoundError(`No placement for ${ref}`);
    const running = await this.migrations.current();
    if (
      running?.kind === 'move' &&
      running.cellId === cellId &&
      (await this.migrations.isMoving(userId))
    ) {
      return { userId, operation: await this.#status(running) };
    }
    if (placement.cellId === cellId) {
      throw new ConflictError('already_on_cell', `${ref} already lives on ${cellId}`, {
        userId,
        cellId,
      });
    }
    if (target.state !== 'active') {
      throw new ConflictError(
        'conflict',
        `${cellId} is ${target.state}; only an active cell takes users`,
      );
    }
    const operation = await this.#start('move', cellId, [
      { userId, sourceCell: placement.cellId, targetCell: cellId, placementReason: reason },
    ]);
    return { userId, operation };
  }

  /** Lets the ring place a pinned user again: migrates them to their ring owner if needed. */
  async unpin(ref: string) {
    const { userId } = await this.#user(ref);
    const placement = await this.controlPlane.placementOf(userId);
    if (!placement) throw new NotFoundError(`No placement for ${ref}`);
    const active = (await this.controlPlane.listCells()).filter((c) => c.state === 'active');
    const owner = new RendezvousRing(active.map((c) => ({ id: c.id, weight: c.weight }))).lookup(
      userId,
    );
    if (!owner) throw new ConflictError('conflict', 'No active cell');
    if (owner === placement.cellId) {
      await this.controlPlane.setPlacementReason(userId, 'ring');
      await this.sync.reloadUsers([userId]);
      return { userId, cellId: owner, operation: null };
    }
    const running = await this.migrations.current();
    if (
      running?.kind === 'move' &&
      running.cellId === owner &&
      (await this.migrations.isMoving(userId))
    ) {
      return { userId, cellId: owner, operation: await this.#status(running) };
    }
    const operation = await this.#start('move', owner, [
      { userId, sourceCell: placement.cellId, targetCell: owner, placementReason: 'ring' },
    ]);
    return { userId, cellId: owner, operation };
  }

  /** Stops the running operation: in-flight users roll back, moved users stay moved. */
  async cancel() {
    const operation = await this.migrations.requestCancel();
    if (!operation) throw new ConflictError('nothing_to_cancel', 'No migration is running');
    this.wake();
    return this.#status(operation);
  }

  async current(): Promise<OperationStatus | null> {
    return this.#status(await this.migrations.current());
  }

  async operation(id: string): Promise<OperationStatus> {
    if (!isUuid(id)) throw new InvalidInputError('Expected an operation id (UUID)');
    const status = await this.#status({ id });
    if (!status) throw new NotFoundError(`No operation ${id}`);
    return status;
  }

  async recent() {
    return Promise.all((await this.migrations.recent()).map((op) => this.migrations.status(op)));
  }
}
