/**
 * Keeps a {@link PlacementDirectory} in step with the control plane: a full
 * reload at start, on every `control_plane_changed` notification, and on a
 * slow poll as a safety net for notifications lost while reconnecting.
 */
import type postgres from 'postgres';
import type { Logger } from '../../lib/logger.ts';
import type { PlacementDirectory } from '../placement/placement-directory.ts';
import { CONTROL_PLANE_CHANNEL, type ControlPlaneStore } from './control-plane-store.ts';

export interface ControlPlaneSyncOptions {
  /** @defaultValue 5000 */
  pollMs?: number;
}

export class ControlPlaneSync {
  #timer: NodeJS.Timeout | undefined;
  #listen: postgres.ListenMeta | undefined;
  #reloading: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(
    private readonly store: ControlPlaneStore,
    private readonly directory: PlacementDirectory,
    private readonly logger: Logger,
    private readonly options: ControlPlaneSyncOptions = {},
  ) {}

  /** Loads once, then listens and polls. Rejects when the first load fails. */
  async start(): Promise<void> {
    await this.#loadOnce();
    this.#listen = await this.store.sql.listen(
      CONTROL_PLANE_CHANNEL,
      () => void this.reload(),
      // Runs on every (re)connect of the listening connection: catch up on anything missed.
      () => void this.reload(),
    );
    this.#timer = setInterval(() => void this.reload(), this.options.pollMs ?? 5_000);
    this.#timer.unref();
  }

  /** Reloads cells and overrides; concurrent calls coalesce into at most one more load. */
  reload(): Promise<void> {
    if (this.#reloading) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      try {
        do {
          this.#again = false;
          await this.#loadOnce();
        } while (this.#again);
      } catch (error) {
        this.logger.error({ err: error }, 'control plane reload failed; keeping the last view');
      } finally {
        this.#reloading = undefined;
      }
    })();
    return this.#reloading;
  }

  async #loadOnce(): Promise<void> {
    const [cells, overrides] = await Promise.all([
      this.store.listCells(),
      this.store.listOverrides(),
    ]);
    if (!this.#closed) this.directory.replace(cells, overrides);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#listen?.unlisten().catch(() => {});
  }
}
