/**
 * Operator reads over the control plane: cells with health and user counts,
 * where a user lives and why, and the pinned placements. The lifecycle
 * operations (add, rebalance, drain, remove, move, unpin, cancel) are in
 * router/migration/migration-service.ts.
 */
import { isUuid } from '../../lib/ids.ts';
import type { ControlPlaneStore } from '../control-plane/control-plane-store.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { HealthMonitor } from '../health/health-monitor.ts';
import type { AccountStore } from '../identity/account-store.ts';
import type { CellGate } from '../placement/cell-gate.ts';
import type { PlacementDirectory } from '../placement/placement-directory.ts';

export class AdminService {
  constructor(
    private readonly store: ControlPlaneStore,
    private readonly accounts: AccountStore,
    private readonly directory: PlacementDirectory,
    private readonly gate: CellGate,
    private readonly health: HealthMonitor,
  ) {}

  listCells() {
    const users = this.directory.usersPerCell();
    return this.directory.cells().map((cell) => {
      const health = this.health.health(cell.id);
      return {
        id: cell.id,
        url: cell.url,
        weight: cell.weight,
        state: cell.state,
        health: health?.up ? 'up' : 'down',
        latencyMs: health?.latencyMs ?? null,
        lastCheckedAt: health?.lastCheckedAt ?? null,
        lastError: health?.lastError ?? null,
        users: users.get(cell.id) ?? 0,
      };
    });
  }

  /** Where a user (by id or email) lives, and why. */
  async where(ref: string) {
    let userId = ref;
    let email: string | null = null;
    if (ref.includes('@')) {
      const account = await this.accounts.findByEmail(ref.trim());
      if (!account) throw new NotFoundError(`No account with email ${ref}`);
      userId = account.id;
      email = account.email;
    } else if (!isUuid(ref)) {
      throw new InvalidInputError('Expected a user id (UUID) or an email');
    } else {
      email = (await this.accounts.findById(ref))?.email ?? null;
    }
    let placement: Awaited<ReturnType<CellGate['place']>>;
    try {
      placement = await this.gate.place(userId);
    } catch {
      throw new NotFoundError(`No placement for ${ref}`);
    }
    return {
      userId,
      email,
      cellId: placement.cell.id,
      reason: placement.reason,
      frozen: placement.frozen,
      ringCellId: this.directory.ringCell(userId) ?? null,
      cellState: placement.cell.state,
      cellHealth: this.health.isUp(placement.cell.id) ? 'up' : 'down',
    };
  }

  /** Placements that do not simply follow the ring (pins and signup fallbacks). */
  async listPinned() {
    const pinned: { userId: string; cellId: string; reason: string }[] = [];
    for await (const rows of this.store.listPlacements()) {
      for (const p of rows) {
        if (p.reason !== 'ring')
          pinned.push({ userId: p.userId, cellId: p.cellId, reason: p.reason });
      }
    }
    return pinned;
  }
}
