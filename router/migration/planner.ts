/**
 * Plans migrations from the control plane's recorded placements and the ring
 * over the `active` cells: a rebalance moves every ring-following user whose
 * cell is not their ring owner; a drain moves every user of one cell to their
 * ring owner among the others. Pinned users stay put in a rebalance.
 */
import type { ControlPlaneStore } from '../control-plane/control-plane-store.ts';
import { RING_REASONS } from '../control-plane/control-plane-store.ts';
import { RendezvousRing } from '../placement/ring.ts';
import type { PlannedMove } from './migration-store.ts';

export interface PlanSummary {
  users: number;
  /** Per source → target pair. */
  pairs: { from: string; to: string; users: number }[];
}

export function summarise(moves: readonly PlannedMove[]): PlanSummary {
  const pairs = new Map<string, { from: string; to: string; users: number }>();
  for (const move of moves) {
    const key = `${move.sourceCell}\u0000${move.targetCell}`;
    const pair = pairs.get(key) ?? { from: move.sourceCell, to: move.targetCell, users: 0 };
    pair.users++;
    pairs.set(key, pair);
  }
  return {
    users: moves.length,
    pairs: [...pairs.values()].sort((a, b) =>
      a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1,
    ),
  };
}

export class MigrationPlanner {
  constructor(private readonly store: ControlPlaneStore) {}

  async #ring(excluding?: string): Promise<RendezvousRing> {
    const cells = await this.store.listCells();
    return new RendezvousRing(
      cells
        .filter((cell) => cell.state === 'active' && cell.id !== excluding)
        .map((cell) => ({ id: cell.id, weight: cell.weight })),
    );
  }

  /** Every ring-following user whose recorded cell is not their ring owner. */
  async rebalance(): Promise<PlannedMove[]> {
    const ring = await this.#ring();
    const moves: PlannedMove[] = [];
    if (ring.size === 0) return moves;
    for await (const rows of this.store.listPlacements()) {
      for (const p of rows) {
        if (!RING_REASONS.includes(p.reason)) continue;
        const owner = ring.lookup(p.userId);
        if (owner && owner !== p.cellId) {
          moves.push({ userId: p.userId, sourceCell: p.cellId, targetCell: owner });
        }
      }
    }
    return moves;
  }

  /** Every user of `cellId`, pinned ones included, to their ring owner among the other active cells. */
  async drain(cellId: string): Promise<PlannedMove[]> {
    const ring = await this.#ring(cellId);
    const moves: PlannedMove[] = [];
    for await (const rows of this.store.listPlacements()) {
      for (const p of rows) {
        if (p.cellId !== cellId) continue;
        const owner = ring.lookup(p.userId);
        if (owner) moves.push({ userId: p.userId, sourceCell: cellId, targetCell: owner });
      }
    }
    return moves;
  }
}
