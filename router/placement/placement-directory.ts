/**
 * The router's in-memory view of the control plane: cells, overrides and the
 * ring built over them. Lookups never touch the database.
 *
 * Every registered cell is on the ring whatever its state: a draining or down
 * cell keeps its users (they get a 503), because sending them anywhere else
 * would serve them from a cell that does not hold their data. A cell leaves
 * the ring only when it is deleted from the registry, after its users were
 * moved away with overrides.
 */
import type { CellRecord, OverrideRecord } from '../control-plane/control-plane-store.ts';
import { RendezvousRing } from './ring.ts';

export type PlacementReason = 'override' | 'ring';

export interface Placement {
  cell: CellRecord;
  reason: PlacementReason;
  /** Where the ring alone would put the user. */
  ringCellId: string | undefined;
  overrideReason?: string;
}

type Listener = (cells: readonly CellRecord[]) => void;

export class PlacementDirectory {
  #cells = new Map<string, CellRecord>();
  #overrides = new Map<string, OverrideRecord>();
  #ring = new RendezvousRing([]);
  #ringKey = '';
  #listeners: Listener[] = [];
  #version = 0;

  /** Replaces the whole view; rebuilds the ring only when ids or weights changed. */
  replace(cells: readonly CellRecord[], overrides: readonly OverrideRecord[]): void {
    this.#cells = new Map(cells.map((cell) => [cell.id, cell]));
    this.#overrides = new Map(overrides.map((o) => [o.userId, o]));
    const ringKey = [...cells]
      .map((cell) => `${cell.id}:${cell.weight}`)
      .sort()
      .join(',');
    if (ringKey !== this.#ringKey) {
      this.#ring = new RendezvousRing(cells.map((cell) => ({ id: cell.id, weight: cell.weight })));
      this.#ringKey = ringKey;
    }
    this.#version++;
    for (const listener of this.#listeners) listener(cells);
  }

  /** Called with the new cell list after every `replace`. */
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

  overrideCount(): number {
    return this.#overrides.size;
  }

  /** The ring's cell for a user, ignoring overrides. */
  ringCell(userId: string): string | undefined {
    return this.#ring.lookup(userId);
  }

  /** Where a user lives: an override wins over the ring. Undefined with no cells. */
  place(userId: string): Placement | undefined {
    const ringCellId = this.#ring.lookup(userId);
    const override = this.#overrides.get(userId);
    const overrideCell = override && this.#cells.get(override.cellId);
    if (override && overrideCell) {
      return {
        cell: overrideCell,
        reason: 'override',
        ringCellId,
        overrideReason: override.reason,
      };
    }
    const cell = ringCellId === undefined ? undefined : this.#cells.get(ringCellId);
    return cell && { cell, reason: 'ring', ringCellId };
  }
}
