/**
 * Reads and writes of the control plane's cell registry and recorded
 * placements. Every write fires a `control_plane_changed` notification, which
 * is what makes the other router replicas reload (see control-plane-sync.ts).
 */
import type postgres from 'postgres';

/**
 * `active`: serves its users and receives new ones. `draining`: serves its
 * users while they are migrated away, receives none. `drained`: holds no user.
 * `down`: an operator took it out; its users get `503 cell_unavailable`.
 */
export type CellState = 'active' | 'draining' | 'drained' | 'down';
export const CELL_STATES = ['active', 'draining', 'drained', 'down'] as const;

export interface CellRecord {
  id: string;
  url: string;
  weight: number;
  state: CellState;
}

/** Where a user lives. `reason` is `ring`, `fallback`, or a pin (`pinned`, `quarantine`, …). */
export interface PlacementRecord {
  userId: string;
  cellId: string;
  reason: string;
  /** True while the user is frozen by a migration: writes get `503 user_migrating`. */
  frozen: boolean;
}

/** Reasons the ring may change: a rebalance moves these users to their ring owner. */
export const RING_REASONS: readonly string[] = ['ring', 'fallback'];

export const CONTROL_PLANE_CHANNEL = 'control_plane_changed';

type Sql = postgres.Sql | postgres.TransactionSql;

export class ControlPlaneStore {
  constructor(readonly sql: postgres.Sql) {}

  async listCells(): Promise<CellRecord[]> {
    return this.sql<CellRecord[]>`select id, url, weight, state from cells order by id`;
  }

  async findCell(id: string): Promise<CellRecord | undefined> {
    const [row] = await this.sql<CellRecord[]>`
      select id, url, weight, state from cells where id = ${id}`;
    return row;
  }

  /** Every placement, streamed in batches (a full reload). */
  async *listPlacements(batchSize = 50_000): AsyncGenerator<PlacementRecord[]> {
    const cursor = this.sql<PlacementRecord[]>`
      select user_id::text as "userId", cell_id as "cellId", reason, frozen
      from placements`.cursor(batchSize);
    for await (const rows of cursor) yield rows;
  }

  /** The placements of these users; users without one are absent. */
  async placementsOf(userIds: readonly string[]): Promise<PlacementRecord[]> {
    if (userIds.length === 0) return [];
    return this.sql<PlacementRecord[]>`
      select user_id::text as "userId", cell_id as "cellId", reason, frozen
      from placements where user_id = any(${userIds as string[]}::uuid[])`;
  }

  async placementOf(userId: string): Promise<PlacementRecord | undefined> {
    const [row] = await this.placementsOf([userId]);
    return row;
  }

  async insertPlacement(tx: Sql, placement: Omit<PlacementRecord, 'frozen'>): Promise<void> {
    await tx`
      insert into placements (user_id, cell_id, reason)
      values (${placement.userId}, ${placement.cellId}, ${placement.reason})`;
  }

  /** Changes only the reason (a pin or unpin in place); false when the user has no placement. */
  async setPlacementReason(userId: string, reason: string): Promise<boolean> {
    const rows = await this.sql`
      update placements set reason = ${reason}, updated_at = now()
      where user_id = ${userId} returning user_id`;
    return rows.length === 1;
  }

  async setFrozen(userId: string, cellId: string, frozen: boolean): Promise<boolean> {
    const rows = await this.sql`
      update placements set frozen = ${frozen}, updated_at = now()
      where user_id = ${userId} and cell_id = ${cellId} and frozen is distinct from ${frozen}
      returning user_id`;
    return rows.length === 1;
  }

  /** Users per cell from the recorded placements. */
  async usersPerCell(): Promise<Map<string, number>> {
    const rows = await this.sql<{ cellId: string; users: number }[]>`
      select cell_id as "cellId", count(*)::int as users from placements group by cell_id`;
    return new Map(rows.map((row) => [row.cellId, row.users]));
  }

  /**
   * Inserts new cells as `active` and refreshes url and weight of known ones,
   * never touching a state an operator set.
   */
  async upsertCells(cells: readonly { id: string; url: string; weight: number }[]): Promise<void> {
    if (cells.length === 0) return;
    await this.sql.begin(async (tx) => {
      for (const cell of cells) {
        await tx`
          insert into cells (id, url, weight, state) values (${cell.id}, ${cell.url}, ${cell.weight}, 'active')
          on conflict (id) do update set url = excluded.url, weight = excluded.weight, updated_at = now()
          where cells.url is distinct from excluded.url or cells.weight is distinct from excluded.weight`;
      }
    });
  }

  /** Sets a cell's state; undefined when there is no such cell. */
  async setCellState(id: string, state: CellState): Promise<CellRecord | undefined> {
    const [row] = await this.sql<CellRecord[]>`
      update cells set state = ${state}, updated_at = now() where id = ${id}
      returning id, url, weight, state`;
    return row;
  }

  /**
   * Unregisters a cell that no placement references. Returns the number of
   * users still placed there (nothing is deleted then), or undefined for an
   * unknown cell.
   */
  async deleteEmptyCell(id: string): Promise<number | undefined> {
    return this.sql.begin(async (tx) => {
      const [cell] = await tx`select id from cells where id = ${id} for update`;
      if (!cell) return undefined;
      const [{ users } = { users: 0 }] = await tx<{ users: number }[]>`
        select count(*)::int as users from placements where cell_id = ${id}`;
      if (users > 0) return users;
      await tx`delete from cells where id = ${id}`;
      return 0;
    });
  }

  async cellExists(id: string): Promise<boolean> {
    const rows = await this.sql`select 1 from cells where id = ${id}`;
    return rows.length > 0;
  }
}
