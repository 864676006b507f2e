/**
 * An in-memory stand-in for the cells' per-user data endpoints, implementing
 * {@link CellDataClient} with the contract's per-user states (active, frozen,
 * moved, incoming). Tests inject failures with `before` (throw from a hook to
 * play a crash or an outage at any call) and check the placement invariant
 * with `holders`.
 */
import { createHash } from 'node:crypto';
import {
  type CellDataClient,
  CellDataError,
  type Checksums,
  type LoadResult,
  UserBusyError,
  type UserDump,
} from '../migration/cell-data-client.ts';

export type UserState = 'active' | 'frozen' | 'moved' | 'incoming';
type Rows = Record<string, unknown[]>;

interface StoredUser {
  state: UserState;
  movedTo?: string;
  rows: Rows;
}

export type CellCall =
  | 'dump'
  | 'load'
  | 'dumpMany'
  | 'loadMany'
  | 'checksums'
  | 'digests'
  | 'freeze'
  | 'unfreeze'
  | 'tombstone'
  | 'activate'
  | 'deleteData';

function checksumsOf(rows: Rows, kind: 'checksums' | 'digests' = 'checksums'): Checksums {
  const result: Checksums = {};
  for (const [table, list] of Object.entries(rows)) {
    result[table] = {
      count: list.length,
      sha256: createHash('sha256').update(kind).update(JSON.stringify(list)).digest('hex'),
    };
  }
  return result;
}

export class InMemoryCells implements CellDataClient {
  readonly cells = new Map<string, Map<string, StoredUser>>();
  /** Called before every call; throw to fail it. */
  before: (call: CellCall, cellId: string, userId: string) => void | Promise<void> = () => {};
  /** Users whose freeze answers `409 user_busy`. */
  readonly busy = new Set<string>();
  readonly calls: { call: CellCall; cellId: string; userId: string }[] = [];
  /**
   * Whether dumps carry digests and loads answer with them, as the cells do;
   * false plays a cell without them (a load then answers with checksums).
   */
  withDigests = true;
  /**
   * Whether the cells answer the batch endpoints; false plays cells of an
   * earlier release (`404`), which the migrator then copies user by user.
   */
  withBatches = true;

  constructor(cellIds: readonly string[]) {
    for (const id of cellIds) this.addCell(id);
  }

  addCell(id: string): void {
    if (!this.cells.has(id)) this.cells.set(id, new Map());
  }

  #cell(cellId: string): Map<string, StoredUser> {
    const cell = this.cells.get(cellId);
    if (!cell) throw new CellDataError(`unknown cell ${cellId}`);
    return cell;
  }

  async #enter(call: CellCall, cellId: string, userId: string): Promise<Map<string, StoredUser>> {
    this.calls.push({ call, cellId, userId });
    await this.before(call, cellId, userId);
    return this.#cell(cellId);
  }

  /** Creates an active user with some rows (what signup plus use would leave). */
  seed(cellId: string, userId: string, rows: Rows): void {
    this.#cell(cellId).set(userId, { state: 'active', rows: structuredClone(rows) });
  }

  /** A write by the user through the cell's public API: refused unless active. */
  write(
    cellId: string,
    userId: string,
    table: string,
    row: unknown,
  ): 'ok' | 'frozen' | 'moved' | 'absent' {
    const user = this.#cell(cellId).get(userId);
    if (!user || user.state === 'incoming') return 'absent';
    if (user.state === 'frozen') return 'frozen';
    if (user.state === 'moved') return 'moved';
    const list = user.rows[table] ?? [];
    list.push(row);
    user.rows[table] = list;
    return 'ok';
  }

  user(cellId: string, userId: string): StoredUser | undefined {
    return this.cells.get(cellId)?.get(userId);
  }

  /** Cells where the user is served from (active or frozen): exactly one for a healthy user. */
  holders(userId: string): string[] {
    return [...this.cells]
      .filter(([, users]) => {
        const state = users.get(userId)?.state;
        return state === 'active' || state === 'frozen';
      })
      .map(([id]) => id);
  }

  async dump(cellId: string, userId: string): Promise<UserDump> {
    const user = (await this.#enter('dump', cellId, userId)).get(userId);
    const rows = user?.rows ?? {};
    const checksums = checksumsOf(rows);
    const digests = this.withDigests ? checksumsOf(rows, 'digests') : undefined;
    return {
      userId,
      body: Buffer.from(
        JSON.stringify({ format: 2, userId, cellId, tables: rows, checksums, digests }),
      ),
      checksums,
      ...(digests ? { digests } : {}),
    };
  }

  async load(cellId: string, userId: string, dump: UserDump): Promise<LoadResult> {
    const cell = await this.#enter('load', cellId, userId);
    const parsed = JSON.parse(dump.body.toString('utf8')) as { tables: Rows };
    const existing = cell.get(userId);
    cell.set(userId, {
      state: existing?.state === 'active' ? 'active' : 'incoming',
      rows: parsed.tables,
    });
    return this.withDigests && dump.digests
      ? { digests: checksumsOf(parsed.tables, 'digests') }
      : { checksums: checksumsOf(parsed.tables) };
  }

  /** A `dumpMany` call (its first user in `calls`), then a `dump` of each user. */
  async dumpMany(cellId: string, userIds: readonly string[]): Promise<UserDump[]> {
    await this.#batch('dumpMany', cellId, userIds);
    const dumps: UserDump[] = [];
    for (const userId of userIds) dumps.push(await this.dump(cellId, userId));
    return dumps;
  }

  /** A `loadMany` call, then a `load` of each dump: all or nothing, like the cells' transaction. */
  async loadMany(cellId: string, dumps: readonly UserDump[]): Promise<LoadResult[]> {
    const users = dumps.map((d) => d.userId);
    await this.#batch('loadMany', cellId, users);
    const cell = this.#cell(cellId);
    const before = new Map(users.map((userId) => [userId, cell.get(userId)]));
    try {
      const results: LoadResult[] = [];
      for (const [i, dump] of dumps.entries()) {
        results.push(await this.load(cellId, users[i] as string, dump));
      }
      return results;
    } catch (error) {
      for (const [userId, user] of before) {
        if (user) cell.set(userId, user);
        else cell.delete(userId);
      }
      throw error;
    }
  }

  async #batch(call: CellCall, cellId: string, userIds: readonly string[]): Promise<void> {
    await this.#enter(call, cellId, userIds[0] ?? '');
    if (!this.withBatches) throw new CellDataError(`${cellId}: ${call} answered 404`, 404);
  }

  async checksums(cellId: string, userId: string): Promise<Checksums> {
    const user = (await this.#enter('checksums', cellId, userId)).get(userId);
    return checksumsOf(user?.rows ?? {});
  }

  async digests(cellId: string, userId: string): Promise<Checksums> {
    const user = (await this.#enter('digests', cellId, userId)).get(userId);
    if (!this.withDigests) throw new CellDataError(`${cellId}: no digests here`, 404);
    return checksumsOf(user?.rows ?? {}, 'digests');
  }

  async freeze(cellId: string, userId: string): Promise<{ digests?: Checksums }> {
    const user = (await this.#enter('freeze', cellId, userId)).get(userId);
    if (this.busy.has(userId)) throw new UserBusyError(`${userId} is busy`);
    if (user && user.state === 'active') user.state = 'frozen';
    return this.withDigests ? { digests: checksumsOf(user?.rows ?? {}, 'digests') } : {};
  }

  async unfreeze(cellId: string, userId: string): Promise<void> {
    const user = (await this.#enter('unfreeze', cellId, userId)).get(userId);
    if (user && user.state === 'frozen') user.state = 'active';
  }

  async tombstone(cellId: string, userId: string, movedTo: string): Promise<void> {
    const user = (await this.#enter('tombstone', cellId, userId)).get(userId);
    if (user) {
      user.state = 'moved';
      user.movedTo = movedTo;
    }
  }

  async activate(cellId: string, userId: string): Promise<void> {
    const user = (await this.#enter('activate', cellId, userId)).get(userId);
    if (!user) throw new CellDataError(`${cellId}: no data of ${userId} to activate`, 404);
    if (user.state === 'incoming') user.state = 'active';
  }

  async deleteData(
    cellId: string,
    userId: string,
    options: { reason?: 'account_deleted' } = {},
  ): Promise<void> {
    const cell = await this.#enter('deleteData', cellId, userId);
    const user = cell.get(userId);
    if (!user) return;
    if (
      options.reason !== 'account_deleted' &&
      user.state !== 'moved' &&
      user.state !== 'incoming'
    ) {
      throw new CellDataError(`${cellId}: refusing to purge a ${user.state} user`, 409);
    }
    cell.delete(userId);
  }
}
