/**
 * The router's in-memory view of the control plane: cells, every user's
 * recorded placement, and the planning ring. Lookups never touch the database.
 *
 * Routing uses only the recorded placement: adding, draining or removing a
 * cell never re-routes anyone; a migration's flip is the only thing that
 * changes where a user is served. The ring (rendezvous over the `active`
 * cells) says where users *should* live: it places new users and plans
 * rebalances. See docs/adr/0005-live-per-user-migration.md.
 */
import type { CellRecord, PlacementRecord } from '../control-plane/control-plane-store.ts';
import { RendezvousRing } from './ring.ts';

export interface Placement {
  cell: CellRecord;
  /** `ring`, `fallback`, or a pin reason. */
  reason: string;
  frozen: boolean;
}

interface StoredPlacement {
  cellId: string;
  reason: string;
  frozen: boolean;
}

type Listener = (cells: readonly CellRecord[]) => void;

export class PlacementDirectory {
  #cells = new Map<string, CellRecord>();
  #placements = new Map<string, StoredPlacement>();
  #ring = new RendezvousRing([]);
  #ringKey = '';
  #listeners: Listener[] = [];
  #version = 0;

  /** Replaces the cells; rebuilds the planning ring only when active ids or weights changed. */
  replaceCells(cells: readonly CellRecord[]): void {
    this.#cells = new Map(cells.map((cell) => [cell.id, cell]));
    const active = cells.filter((cell) => cell.state === 'active');
    const ringKey = active
      .map((cell) => `${cell.id}:${cell.weight}`)
      .sort()
      .join(',');
    if (ringKey !== this.#ringKey) {
      this.#ring = new RendezvousRing(active.map((cell) => ({ id: cell.id, weight: cell.weight })));
      this.#ringKey = ringKey;
    }
    this.#version++;
    for (const listener of this.#listeners) listener(cells);
  }

  /** Replaces every placement (a full reload). */
  replacePlacements(placements: Iterable<PlacementRecord>): void {
    const next = new Map<string, StoredPlacement>();
    for (const p of placements) next.set(p.userId, this.#stored(p));
    this.#placements = next;
  }

  /** Applies the current rows of some users: present ones are set, absent ones forgotten. */
  updatePlacements(userIds: Iterable<string>, rows: readonly PlacementRecord[]): void {
    for (const id of userIds) this.#placements.delete(id);
    for (const row of rows) this.#placements.set(row.userId, this.#stored(row));
  }

  /** Records one placement at once (this replica's own write; NOTIFY brings it to the others). */
  setPlacement(placement: PlacementRecord): void {
    this.#placements.set(placement.userId, this.#stored(placement));
  }

  #stored(p: PlacementRecord): StoredPlacement {
    // Share the cell's id string instead of one copy per user.
    const cellId = this.#cells.get(p.cellId)?.id ?? p.cellId;
    return { cellId, reason: p.reason, frozen: p.frozen };
  }

  /** Called with the new cell list after every `replaceCells`. */
  onChange(listener: Listener): void {
    this.#listeners.push(listener);
  }

  get version(): number {
    return this.#version;
  }

  cells(): CellRecord[] {
    return [...this.#cells.values()];
  }

  cell(id: string): CellRecord | undefined {
    return this.#cells.get(id);
  }

  /** Placements whose reason is a pin or a fallback (not plain `ring`). */
  pinnedCount(): number {
    let count = 0;
    for (const p of this.#placements.values()) if (p.reason !== 'ring') count++;
    return count;
  }

  /** Users per cell from the recorded placements. */
  usersPerCell(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const p of this.#placements.values())
      counts.set(p.cellId, (counts.get(p.cellId) ?? 0) + 1);
    return counts;
  }

  /** The planning ring's owner of a user: the best `active` cell. */
  ringCell(userId: string): string | undefined {
    return this.#ring.lookup(userId);
  }

  /** The `active` cells in the user's rendezvous order, best first. */
  ringOrder(userId: string): CellRecord[] {
    return this.#ring
      .rank(userId)
      .map((id) => this.#cells.get(id))
      .filter((cell): cell is CellRecord => cell !== undefined);
  }

  /** Whether the user's placement is loaded. */
  hasPlacement(userId: string): boolean {
    return this.#placements.has(userId);
  }

  /** Where a user lives, or undefined when no placement of theirs is loaded. */
  place(userId: string): Placement | undefined {
    const stored = this.#placements.get(userId);
    if (!stored) return undefined;
    const cell = this.#cells.get(stored.cellId);
    if (!cell) return undefined;
    // No ring lookup here: this runs for every proxied request, and only the admin API's
    // placement view (`GET /admin/v1/placements/:user`, `cellctl where`) asks `ringCell`.
    return { cell, reason: stored.reason, frozen: stored.frozen };
  }
}
