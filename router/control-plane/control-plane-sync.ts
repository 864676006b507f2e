/**
 * Keeps a {@link PlacementDirectory} in step with the control plane.
 *
 * - At start, on every (re)connect of the listening connection and every
 *   `fullReloadEveryPolls` polls: a full reload of cells and placements.
 * - On `control_plane_changed`: payload `cells` reloads the cells, `p:<user id>`
 *   reloads that user's placement (batched), `placements` (a bulk change)
 *   reloads every placement. NOTIFY is delivered at commit, so a flip reaches
 *   every replica within milliseconds.
 * - A slow poll of the cells as a safety net.
 */
import type postgres from 'postgres';
import type { Logger } from '../../lib/logger.ts';
import type { PlacementDirectory } from '../placement/placement-directory.ts';
import {
  CONTROL_PLANE_CHANNEL,
  type ControlPlaneStore,
  type PlacementRecord,
} from './control-plane-store.ts';

export interface ControlPlaneSyncOptions {
  /** @defaultValue 5000 */
  pollMs?: number;
  /** Every how many polls the placements are reloaded in full. @defaultValue 12 */
  fullReloadEveryPolls?: number;
}

/** More pending users than this are cheaper as one full reload. */
const MAX_PENDING_USERS = 5_000;

export class ControlPlaneSync {
  #timer: NodeJS.Timeout | undefined;
  #listen: postgres.ListenMeta | undefined;
  #closed = false;
  #polls = 0;
  #full: Coalesced;
  #cells: Coalesced;
  #pendingUsers = new Set<string>();
  #users: Coalesced;

  constructor(
    private readonly store: ControlPlaneStore,
    private readonly directory: PlacementDirectory,
    private readonly logger: Logger,
    private readonly options: ControlPlaneSyncOptions = {},
  ) {
    const onError = (error: unknown) =>
      this.logger.error({ err: error }, 'control plane reload failed; keeping the last view');
    this.#full = new Coalesced(() => this.#loadAll(), onError);
    this.#cells = new Coalesced(() => this.#loadCells(), onError);
    this.#users = new Coalesced(() => this.#loadPendingUsers(), onError);
  }

  /** Loads once, then listens and polls. Rejects when the first load fails. */
  async start(): Promise<void> {
    await this.#loadAll();
    this.#listen = await this.store.sql.listen(
      CONTROL_PLANE_CHANNEL,
      (payload) => this.#onNotify(payload),
      // Runs on every (re)connect of the listening connection: catch up on anything missed.
      () => void this.reload(),
    );
    this.#timer = setInterval(() => {
      this.#polls++;
      if (this.#polls % (this.options.fullReloadEveryPolls ?? 12) === 0) void this.reload();
      else void this.#cells.run();
    }, this.options.pollMs ?? 5_000);
    this.#timer.unref();
  }

  /** Reloads cells and every placement; concurrent calls coalesce. */
  reload(): Promise<void> {
    return this.#full.run();
  }

  /** Reloads the placement of some users now (after this replica wrote them). */
  reloadUsers(userIds: readonly string[]): Promise<void> {
    for (const id of userIds) this.#pendingUsers.add(id);
    return this.#users.run();
  }

  #onNotify(payload: string): void {
    if (payload === 'cells') void this.#cells.run();
    else if (payload.startsWith('p:')) void this.reloadUsers([payload.slice(2)]);
    else void this.reload();
  }

  async #loadCells(): Promise<void> {
    const cells = await this.store.listCells();
    if (!this.#closed) this.directory.replaceCells(cells);
  }

  async #loadAll(): Promise<void> {
    // Pending single-user reloads are covered by the full one only if they arrived before it.
    const covered = new Set(this.#pendingUsers);
    const cells = await this.store.listCells();
    const placements: PlacementRecord[] = [];
    for await (const rows of this.store.listPlacements()) placements.push(...rows);
    if (this.#closed) return;
    this.directory.replaceCells(cells);
    this.directory.replacePlacements(placements);
    for (const id of covered) this.#pendingUsers.delete(id);
  }

  async #loadPendingUsers(): Promise<void> {
    while (this.#pendingUsers.size > 0) {
      if (this.#pendingUsers.size > MAX_PENDING_USERS) {
        await this.#loadAll();
        continue;
      }
      const ids = [...this.#pendingUsers];
      this.#pendingUsers.clear();
      let rows: PlacementRecord[];
      try {
        rows = await this.store.placementsOf(ids);
      } catch (error) {
        // Kept for the next notification, reconnect or poll.
        for (const id of ids) this.#pendingUsers.add(id);
        throw error;
      }
      if (!this.#closed) this.directory.updatePlacements(ids, rows);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#listen?.unlisten().catch(() => {});
  }
}

/** Runs a load at most once at a time; calls during a run make it run exactly once more. */
class Coalesced {
  #running: Promise<void> | undefined;
  #again = false;

  constructor(
    private readonly load: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.load();
        } while (this.#again);
      } catch (error) {
        this.onError(error);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }
}
