/**
 * Operator actions over the control plane: cell listing with health and user
 * counts, where a user lives and why, drain/activate, and overrides. Writes
 * go to Postgres; this replica reloads at once, the others on NOTIFY.
 */
import { isUuid } from '../../lib/ids.ts';
import type { CellState, ControlPlaneStore } from '../control-plane/control-plane-store.ts';
import type { ControlPlaneSync } from '../control-plane/control-plane-sync.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { HealthMonitor } from '../health/health-monitor.ts';
import type { AccountStore } from '../identity/account-store.ts';
import type { PlacementDirectory } from '../placement/placement-directory.ts';

export class AdminService {
  constructor(
    private readonly store: ControlPlaneStore,
    private readonly accounts: AccountStore,
    private readonly directory: PlacementDirectory,
    private readonly health: HealthMonitor,
    private readonly sync: ControlPlaneSync,
  ) {}

  async listCells() {
    const users = new Map<string, number>();
    for await (const ids of this.store.accountIds()) {
      for (const id of ids) {
        const cellId = this.directory.place(id)?.cell.id;
        if (cellId) users.set(cellId, (users.get(cellId) ?? 0) + 1);
      }
    }
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
    const placement = this.directory.place(userId);
    if (!placement) throw new NotFoundError('No cell is registered');
    return {
      userId,
      email,
      cellId: placement.cell.id,
      reason: placement.reason,
      ringCellId: placement.ringCellId ?? null,
      overrideReason: placement.overrideReason ?? null,
      cellState: placement.cell.state,
      cellHealth: this.health.isUp(placement.cell.id) ? 'up' : 'down',
    };
  }

  async setCellState(cellId: string, state: CellState) {
    const cell = await this.store.setCellState(cellId, state);
    if (!cell) throw new NotFoundError(`No cell ${cellId}`);
    await this.sync.reload();
    return cell;
  }

  listOverrides() {
    return this.store.listOverrides();
  }

  async setOverride(userId: string, cellId: string, reason: string) {
    if (!isUuid(userId)) throw new InvalidInputError('Expected a user id (UUID)');
    if (!(await this.store.cellExists(cellId))) throw new NotFoundError(`No cell ${cellId}`);
    await this.store.setOverride({ userId, cellId, reason });
    await this.sync.reload();
    return { userId, cellId, reason };
  }

  async clearOverride(userId: string) {
    if (!isUuid(userId)) throw new InvalidInputError('Expected a user id (UUID)');
    if (!(await this.store.clearOverride(userId))) {
      throw new NotFoundError(`No override for ${userId}`);
    }
    await this.sync.reload();
  }
}
