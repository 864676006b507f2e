/**
 * Decides whether a user's cell may be sent traffic now. It never offers
 * another cell: a user whose cell cannot serve gets a 503, not someone else's
 * database.
 */
import type { CellRecord } from '../control-plane/control-plane-store.ts';
import { CellDrainingError, CellUnavailableError } from '../errors.ts';
import type { HealthMonitor } from '../health/health-monitor.ts';
import type { Placement, PlacementDirectory } from './placement-directory.ts';

export class CellGate {
  constructor(
    private readonly directory: PlacementDirectory,
    private readonly health: HealthMonitor,
  ) {}

  /** The user's placement, or throws when no cell is registered at all. */
  place(userId: string): Placement {
    const placement = this.directory.place(userId);
    if (!placement) throw new CellUnavailableError(undefined, 'No cell is registered');
    return placement;
  }

  /** Throws {@link CellDrainingError} / {@link CellUnavailableError} unless the cell can serve. */
  assertServing(cell: CellRecord): void {
    if (cell.state === 'draining') throw new CellDrainingError(cell.id);
    if (cell.state === 'down' || !this.health.isUp(cell.id)) {
      throw new CellUnavailableError(cell.id);
    }
  }

  /** The cell that serves this user now, or throws. */
  servingCell(userId: string): CellRecord {
    const { cell } = this.place(userId);
    this.assertServing(cell);
    return cell;
  }
}
