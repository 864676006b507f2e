/**
 * Decides whether a user's request may be sent to their cell now. It never
 * offers another cell: a user whose cell cannot serve gets a 503, not someone
 * else's database.
 */
import type { CellRecord, ControlPlaneStore } from '../control-plane/control-plane-store.ts';
import { CellUnavailableError, UnknownAccountError, UserMigratingError } from '../errors.ts';
import type { HealthMonitor } from '../health/health-monitor.ts';
import type { Placement, PlacementDirectory } from './placement-directory.ts';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** How long a user with no placement row is remembered as unknown. */
const UNKNOWN_TTL_MS = 5_000;
const MAX_UNKNOWN = 10_000;

export class CellGate {
  readonly #unknown = new Map<string, number>();

  constructor(
    private readonly directory: PlacementDirectory,
    private readonly health: HealthMonitor,
    private readonly store: ControlPlaneStore,
  ) {}

  /**
   * The user's placement: from memory, or (only for a user this replica has
   * not seen yet, e.g. signed up on another replica a moment ago) from the
   * control plane. Throws {@link UnknownAccountError} when there is none.
   */
  place(userId: string): Placement | Promise<Placement> {
    return this.directory.place(userId) ?? this.#load(userId);
  }

  async #load(userId: string): Promise<Placement> {
    const until = this.#unknown.get(userId);
    if (until !== undefined && until > Date.now()) throw new UnknownAccountError();
    const row = await this.store.placementOf(userId);
    if (!row) {
      if (this.#unknown.size >= MAX_UNKNOWN) this.#unknown.clear();
      this.#unknown.set(userId, Date.now() + UNKNOWN_TTL_MS);
      throw new UnknownAccountError();
    }
    this.directory.setPlacement(row);
    const placement = this.directory.place(userId);
    if (!placement) throw new CellUnavailableError(row.cellId, 'The cell of this user is unknown');
    return placement;
  }

  /** Throws {@link CellUnavailableError} unless the cell can serve. */
  assertServing(cell: CellRecord): void {
    if (cell.state === 'down' || !this.health.isUp(cell.id)) {
      throw new CellUnavailableError(cell.id);
    }
  }

  #serving(placement: Placement, method: string): CellRecord {
    if (placement.frozen && !READS.has(method)) throw new UserMigratingError(placement.cell.id);
    this.assertServing(placement.cell);
    return placement.cell;
  }

  /**
   * The cell that serves this request now, or throws: `503 user_migrating` for
   * a write of a user being migrated, `503 cell_unavailable` for a down cell.
   * Synchronous for every user whose placement is in memory.
   */
  servingCell(userId: string, method: string): CellRecord | Promise<CellRecord> {
    const placement = this.directory.place(userId);
    if (placement) return this.#serving(placement, method);
    return this.#load(userId).then((loaded) => this.#serving(loaded, method));
  }
}
