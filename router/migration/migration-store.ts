/**
 * The migrator's durable state in the control plane: one row per operation
 * (`migration_operations`) and one per user it moves (`migration_moves`) with
 * the phase of the per-user protocol. The flip of a user's placement and the
 * phase change to `flipped` commit in one transaction, so after a crash the
 * phase always says which cell holds the user.
 */
import type postgres from 'postgres';
import { newId } from '../../lib/ids.ts';
import { ConflictError } from '../errors.ts';

export type OperationKind = 'rebalance' | 'drain' | 'move';
export type OperationState = 'running' | 'cancelling' | 'completed' | 'cancelled' | 'failed';

/**
 * Per-user phases, in protocol order. Before `committed` the move can be
 * rolled back (the target holds an `incoming` copy nobody is served from);
 * from `committed` on it only goes forward. The placement says source until
 * `flipped`, target from then on.
 */
export type MovePhase =
  | 'planned'
  | 'copied'
  | 'frozen'
  | 'committed'
  | 'flipped'
  | 'tombstoned'
  | 'done'
  | 'rolled_back'
  | 'failed';

export const UNFINISHED_PHASES: readonly MovePhase[] = [
  'planned',
  'copied',
  'frozen',
  'committed',
  'flipped',
  'tombstoned',
];

export interface PlannedMove {
  userId: string;
  sourceCell: string;
  targetCell: string;
  /** The placement reason written at the flip. @defaultValue 'ring' */
  placementReason?: string;
}

export interface MoveRecord {
  operationId: string;
  userId: string;
  sourceCell: string;
  targetCell: string;
  placementReason: string;
  phase: MovePhase;
  attempts: number;
  bytes: number;
  frozenAt: Date | null;
}

export interface OperationRecord {
  id: string;
  kind: OperationKind;
  state: OperationState;
  cellId: string | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface OperationStatus extends OperationRecord {
  users: {
    total: number;
    planned: number;
    inFlight: number;
    moved: number;
    rolledBack: number;
    failed: number;
  };
  /** Bytes copied for the users moved so far. */
  movedBytes: number;
  freezeMs: { p50: number | null; p99: number | null; max: number | null };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

type PhaseExtra = { bytes?: number; frozenAt?: Date; freezeMs?: number; purgeAfterMs?: number };

async function updatePhase(
  sql: postgres.Sql | postgres.TransactionSql,
  move: MoveRecord,
  phase: MovePhase,
  extra: PhaseExtra,
): Promise<void> {
  await sql`
    update migration_moves set
      phase = ${phase},
      bytes = coalesce(${extra.bytes ?? null}::bigint, bytes),
      frozen_at = coalesce(${extra.frozenAt ?? null}::timestamptz, frozen_at),
      freeze_ms = coalesce(${extra.freezeMs ?? null}::int, freeze_ms),
      purge_after = case when ${extra.purgeAfterMs ?? null}::int is null then purge_after
        else now() + make_interval(secs => ${(extra.purgeAfterMs ?? 0) / 1000}) end,
      error = case when ${phase} in ('failed', 'rolled_back') then error else null end,
      updated_at = now()
    where operation_id = ${move.operationId} and user_id = ${move.userId}`;
  move.phase = phase;
  if (extra.frozenAt) move.frozenAt = extra.frozenAt;
  if (extra.bytes !== undefined) move.bytes = extra.bytes;
}

export class MigrationStore {
  constructor(readonly sql: postgres.Sql) {}

  /** Records a running operation and its moves; {@link ConflictError} when one runs already. */
  async createOperation(
    kind: OperationKind,
    cellId: string | null,
    moves: readonly PlannedMove[],
  ): Promise<OperationRecord> {
    const id = newId();
    try {
      return await this.sql.begin(async (tx) => {
        const [operation] = await tx<OperationRecord[]>`
          insert into migration_operations (id, kind, state, cell_id)
          values (${id}, ${kind}, 'running', ${cellId})
          returning ${tx.unsafe(OPERATION_SELECT)}`;
        for (let i = 0; i < moves.length; i += 5_000) {
          const rows = moves.slice(i, i + 5_000).map((move) => ({
            operation_id: id,
            user_id: move.userId,
            source_cell: move.sourceCell,
            target_cell: move.targetCell,
            placement_reason: move.placementReason ?? 'ring',
          }));
          await tx`insert into migration_moves ${tx(rows)}`;
        }
        // A user moving back to a cell whose old copy waits for its purge: that purge
        // must never run now (the load replaces those rows anyway).
        await tx`
          update migration_moves old set purged_at = now(), updated_at = now()
          from migration_moves new
          where new.operation_id = ${id} and old.user_id = new.user_id
            and old.source_cell = new.target_cell and old.phase = 'done' and old.purged_at is null`;
        if (!operation) throw new Error('operation insert returned nothing');
        return operation;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        const running = await this.current();
        throw new ConflictError(
          'migration_running',
          `A ${running?.kind ?? 'migration'} is running (${running?.id ?? 'unknown'}); wait for it or cancel it`,
          running ? { operationId: running.id, kind: running.kind } : undefined,
        );
      }
      throw error;
    }
  }

  /** The running or cancelling operation, if any. */
  async current(): Promise<OperationRecord | undefined> {
    const [row] = await this.sql<OperationRecord[]>`
      select ${this.sql.unsafe(OPERATION_SELECT)} from migration_operations
      where state in ('running', 'cancelling')`;
    return row;
  }

  async operation(id: string): Promise<OperationRecord | undefined> {
    const [row] = await this.sql<OperationRecord[]>`
      select ${this.sql.unsafe(OPERATION_SELECT)} from migration_operations where id = ${id}`;
    return row;
  }

  /** The latest operations, newest first. */
  async recent(limit = 20): Promise<OperationRecord[]> {
    return this.sql<OperationRecord[]>`
      select ${this.sql.unsafe(OPERATION_SELECT)} from migration_operations
      order by created_at desc, id desc limit ${limit}`;
  }

  /** Asks the running operation to stop; undefined when nothing runs. */
  async requestCancel(): Promise<OperationRecord | undefined> {
    const [row] = await this.sql<OperationRecord[]>`
      update migration_operations set state = 'cancelling', updated_at = now()
      where state in ('running', 'cancelling')
      returning ${this.sql.unsafe(OPERATION_SELECT)}`;
    return row;
  }

  async finishOperation(id: string, state: OperationState, error?: string): Promise<void> {
    await this.sql`
      update migration_operations
      set state = ${state}, error = ${error ?? null}, updated_at = now(), finished_at = now()
      where id = ${id} and state in ('running', 'cancelling')`;
  }

  /** Moves not yet done, rolled back or failed: those already flipped first. */
  async unfinishedMoves(operationId: string, limit = 1_000): Promise<MoveRecord[]> {
    return this.sql<MoveRecord[]>`
      select ${this.sql.unsafe(MOVE_SELECT)} from migration_moves
      where operation_id = ${operationId} and phase in ${this.sql(UNFINISHED_PHASES as MovePhase[])}
      order by (phase in ('committed', 'flipped', 'tombstoned')) desc, (phase = 'planned'), user_id
      limit ${limit}`;
  }

  async setPhase(move: MoveRecord, phase: MovePhase, extra: PhaseExtra = {}): Promise<void> {
    await updatePhase(this.sql, move, phase, extra);
  }

  /**
   * The end of a tombstoned move, in one transaction: the target lets the
   * user's writes through (`placements.frozen = false`) and the move is
   * `done`, with its freeze window and when the source's rows may be purged.
   */
  async finish(
    move: MoveRecord,
    extra: { freezeMs?: number; purgeAfterMs: number },
  ): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`
        update placements set frozen = false, updated_at = now()
        where user_id = ${move.userId} and cell_id = ${move.targetCell} and frozen`;
      await updatePhase(tx, move, 'done', extra);
    });
  }

  /** Notes why the last step failed without spending an attempt (a cell that is unreachable for now). */
  async recordError(move: MoveRecord, error: string): Promise<void> {
    await this.sql`
      update migration_moves set error = ${error}, updated_at = now()
      where operation_id = ${move.operationId} and user_id = ${move.userId}`;
  }

  async recordFailure(move: MoveRecord, error: string): Promise<number> {
    const [row] = await this.sql<{ attempts: number }[]>`
      update migration_moves set attempts = attempts + 1, error = ${error}, updated_at = now()
      where operation_id = ${move.operationId} and user_id = ${move.userId}
      returning attempts`;
    move.attempts = row?.attempts ?? move.attempts + 1;
    return move.attempts;
  }

  /**
   * Points the user's placement at the target (still frozen: writes wait for
   * the tombstone) and marks the move `flipped`, in one transaction. False when the placement is no longer on the
   * source (the account was deleted, or someone else moved it): nothing changes.
   */
  async flip(move: MoveRecord): Promise<boolean> {
    const flipped = await this.sql.begin(async (tx) => {
      const rows = await tx`
        update placements set cell_id = ${move.targetCell}, reason = ${move.placementReason},
          frozen = true, updated_at = now()
        where user_id = ${move.userId} and cell_id = ${move.sourceCell}
        returning user_id`;
      if (rows.length !== 1) return false;
      await tx`
        update migration_moves set phase = 'flipped', updated_at = now()
        where operation_id = ${move.operationId} and user_id = ${move.userId}`;
      return true;
    });
    if (flipped) move.phase = 'flipped';
    return flipped;
  }

  /** Moves whose grace period is over and whose source still holds the user's rows. */
  async duePurges(limit = 100): Promise<MoveRecord[]> {
    return this.sql<MoveRecord[]>`
      select ${this.sql.unsafe(MOVE_SELECT)} from migration_moves m
      where phase = 'done' and purged_at is null and purge_after <= now()
        -- a removed cell took its rows with it; should it be registered again, its purges resume
        and exists (select 1 from cells c where c.id = m.source_cell)
        -- never purge the cell the user lives on now (moved back since) or is moving to
        and not exists (select 1 from placements p
          where p.user_id = m.user_id and p.cell_id = m.source_cell)
        and not exists (select 1 from migration_moves o
          where o.user_id = m.user_id and o.target_cell = m.source_cell
            and o.phase in ${this.sql(UNFINISHED_PHASES as MovePhase[])})
      order by purge_after limit ${limit}`;
  }

  async markPurged(move: MoveRecord): Promise<void> {
    await this.sql`
      update migration_moves set purged_at = now(), updated_at = now()
      where operation_id = ${move.operationId} and user_id = ${move.userId}`;
  }

  /** True while a move of this user is unfinished. */
  async isMoving(userId: string): Promise<boolean> {
    const rows = await this.sql`
      select 1 from migration_moves
      where user_id = ${userId} and phase in ${this.sql(UNFINISHED_PHASES as MovePhase[])} limit 1`;
    return rows.length > 0;
  }

  /** Counters and freeze percentiles of an operation. */
  async status(operation: OperationRecord): Promise<OperationStatus> {
    const rows = await this.sql<{ phase: MovePhase; users: number; bytes: string }[]>`
      select phase, count(*)::int as users, coalesce(sum(bytes), 0)::text as bytes
      from migration_moves where operation_id = ${operation.id} group by phase`;
    const count = (phases: MovePhase[]) =>
      rows.filter((r) => phases.includes(r.phase)).reduce((sum, r) => sum + r.users, 0);
    const [freeze] = await this.sql<
      { p50: number | null; p99: number | null; max: number | null }[]
    >`
      select percentile_cont(0.5) within group (order by freeze_ms) as p50,
        percentile_cont(0.99) within group (order by freeze_ms) as p99,
        max(freeze_ms) as max
      from migration_moves where operation_id = ${operation.id} and freeze_ms is not null`;
    return {
      ...operation,
      users: {
        total: count([...UNFINISHED_PHASES, 'done', 'rolled_back', 'failed']),
        planned: count(['planned']),
        inFlight: count(['copied', 'frozen', 'committed', 'flipped', 'tombstoned']),
        moved: count(['done']),
        rolledBack: count(['rolled_back']),
        failed: count(['failed']),
      },
      movedBytes: Number(rows.find((r) => r.phase === 'done')?.bytes ?? 0),
      freezeMs: {
        p50: freeze?.p50 ?? null,
        p99: freeze?.p99 ?? null,
        max: freeze?.max ?? null,
      },
    };
  }
}

const OPERATION_SELECT = `id::text as id, kind, state, cell_id as "cellId", error,
  created_at as "createdAt", finished_at as "finishedAt"`;

const MOVE_SELECT = `operation_id::text as "operationId", user_id::text as "userId",
  source_cell as "sourceCell", target_cell as "targetCell", placement_reason as "placementReason",
  phase, attempts, bytes::float8 as bytes, frozen_at as "frozenAt"`;
