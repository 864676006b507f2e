/**
 * One undici keep-alive `Pool` per cell, kept in step with the registry: a
 * pool is created when a cell appears or its URL changes, closed when it goes.
 */
import { Pool } from 'undici';
import type { CellRecord } from '../control-plane/control-plane-store.ts';

export interface CellPoolOptions {
  /** @defaultValue 1000 */
  connectTimeoutMs?: number;
  /** @defaultValue 30000 */
  headersTimeoutMs?: number;
  /** @defaultValue 60000 */
  bodyTimeoutMs?: number;
  /** @defaultValue 128 */
  connections?: number;
}

export class CellPools {
  readonly #pools = new Map<string, { url: string; pool: Pool; health: Pool }>();

  constructor(private readonly options: CellPoolOptions = {}) {}

  /** Creates, replaces or closes pools so that there is one per cell. */
  sync(cells: readonly CellRecord[]): void {
    const wanted = new Map(cells.map((cell) => [cell.id, cell.url]));
    for (const [id, entry] of this.#pools) {
      if (wanted.get(id) !== entry.url) {
        this.#pools.delete(id);
        void entry.pool.close().catch(() => {});
        void entry.health.close().catch(() => {});
      }
    }
    for (const [id, url] of wanted) {
      if (this.#pools.has(id)) continue;
      this.#pools.set(id, {
        url,
        pool: new Pool(url, {
          connections: this.options.connections ?? 128,
          connect: { timeout: this.options.connectTimeoutMs ?? 1_000 },
          headersTimeout: this.options.headersTimeoutMs ?? 30_000,
          bodyTimeout: this.options.bodyTimeoutMs ?? 60_000,
          keepAliveTimeout: 30_000,
          pipelining: 1,
        }),
        // Health checks get their own connection so a saturated proxy pool cannot fail them.
        health: new Pool(url, {
          connections: 1,
          connect: { timeout: this.options.connectTimeoutMs ?? 1_000 },
          keepAliveTimeout: 30_000,
        }),
      });
    }
  }

  get(cellId: string): Pool | undefined {
    return this.#pools.get(cellId)?.pool;
  }

  /** The dedicated health-check connection of a cell. */
  health(cellId: string): Pool | undefined {
    return this.#pools.get(cellId)?.health;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.allSettled(pools.flatMap((entry) => [entry.pool.close(), entry.health.close()]));
  }
}
