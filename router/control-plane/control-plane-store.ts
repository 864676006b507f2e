/**
 * Reads and writes of the control plane's cell registry and placement
 * overrides. Every write fires the `control_plane_changed` trigger, which is
 * what makes the other router replicas reload.
 */
import type postgres from 'postgres';

export type CellState = 'active' | 'draining' | 'down';
export const CELL_STATES = ['active', 'draining', 'down'] as const;

export interface CellRecord {
  id: string;
  url: string;
  weight: number;
  state: CellState;
}

export interface OverrideRecord {
  userId: string;
  cellId: string;
  reason: string;
}

export const CONTROL_PLANE_CHANNEL = 'control_plane_changed';

export class ControlPlaneStore {
  constructor(readonly sql: postgres.Sql) {}

  async listCells(): Promise<CellRecord[]> {
    return this.sql<CellRecord[]>`select id, url, weight, state from cells order by id`;
  }

  async listOverrides(): Promise<OverrideRecord[]> {
    return this.sql<OverrideRecord[]>`
      select user_id::text as "userId", cell_id as "cellId", reason from placements`;
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

  async setOverride(override: OverrideRecord): Promise<void> {
    await this.sql`
      insert into placements (user_id, cell_id, reason)
      values (${override.userId}, ${override.cellId}, ${override.reason})
      on conflict (user_id) do update set cell_id = excluded.cell_id, reason = excluded.reason,
        updated_at = now()`;
  }

  /** Removes an override; false when there was none. */
  async clearOverride(userId: string): Promise<boolean> {
    const rows = await this.sql`delete from placements where user_id = ${userId} returning user_id`;
    return rows.length > 0;
  }

  async cellExists(id: string): Promise<boolean> {
    const rows = await this.sql`select 1 from cells where id = ${id}`;
    return rows.length > 0;
  }

  /** Every account id, for the admin user counts (an admin-only, occasional scan). */
  async *accountIds(batchSize = 10_000): AsyncGenerator<string[]> {
    const cursor = this.sql<{ id: string }[]>`select id::text as id from accounts`.cursor(
      batchSize,
    );
    for await (const rows of cursor) yield rows.map((row) => row.id);
  }
}
