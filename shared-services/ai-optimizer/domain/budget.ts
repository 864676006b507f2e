/**
 * Daily budgets per user and per cell, in Redis, counted in nano-dollars. A
 * call reserves its estimated cost atomically (rejected when either budget
 * would pass its cap) and is reconciled with the real cost afterwards, so the
 * overspend is bounded by one request's estimation error. Crossing 80% of a
 * cap is reported once. Cell-wide work (`userId` empty: a board job analyzed
 * once for all its followers) counts against the cell's cap only.
 */
import type { Redis } from 'ioredis';
import { BudgetExceededError, type BudgetScope } from './errors.ts';

const NANO = 1e9;
const KEY_TTL_SECONDS = 2 * 24 * 3600;
export const WARNING_RATIO = 0.8;

// A negative user cap is cell-wide work: no user's counter is read or charged (KEYS[1] unused).
const RESERVE = `
local est = tonumber(ARGV[1])
local userCap = tonumber(ARGV[2])
local cellCap = tonumber(ARGV[3])
local hasUser = userCap >= 0
local user = 0
if hasUser then user = tonumber(redis.call('GET', KEYS[1]) or '0') end
local cell = tonumber(redis.call('GET', KEYS[2]) or '0')
if hasUser and user + est > userCap then return {1, user, cell} end
if cell + est > cellCap then return {2, user, cell} end
if hasUser then
  user = redis.call('INCRBY', KEYS[1], est)
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
cell = redis.call('INCRBY', KEYS[2], est)
redis.call('EXPIRE', KEYS[2], ARGV[4])
return {0, user, cell}
`;

/** The reservation script as an ioredis command: EVALSHA, EVAL only the first time per connection. */
const RESERVE_COMMAND = 'aiReserveBudget';
type ReserveCommand = (
  userKey: string,
  cellKey: string,
  est: number,
  userCap: number,
  cellCap: number,
  ttlSeconds: number,
) => Promise<[number, number, number]>;

export interface BudgetOptions {
  redis: Redis;
  prefix: string;
  userDailyUsd: number;
  cellDailyUsd: number;
  /** @defaultValue Date.now */
  now?: () => number;
  onWarning?: (scope: BudgetScope, who: string, spentUsd: number, limitUsd: number) => void;
  /** Called before a read, to send writes that were deferred (see redis-steps.ts). */
  beforeRead?: () => void;
}

export interface Reservation {
  /** The user's counter; none for cell-wide work. */
  userKey: string | undefined;
  cellKey: string;
  reservedNano: number;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function nextUtcMidnight(ms: number): Date {
  const date = new Date(ms);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1));
}

export class Budgets {
  private readonly now: () => number;

  constructor(private readonly options: BudgetOptions) {
    this.now = options.now ?? Date.now;
    options.redis.defineCommand(RESERVE_COMMAND, { numberOfKeys: 2, lua: RESERVE });
  }

  /** Today's counters; cell-wide work (`userId` empty) has no user's. */
  private keys(cellId: string, userId: string) {
    const day = utcDay(this.now());
    return {
      userKey: userId === '' ? undefined : `${this.options.prefix}budget:user:${userId}:${day}`,
      cellKey: `${this.options.prefix}budget:cell:${cellId}:${day}`,
    };
  }

  /** Reserves `estimateUsd` or rejects with {@link BudgetExceededError}. */
  async reserve(cellId: string, userId: string, estimateUsd: number): Promise<Reservation> {
    const { userKey, cellKey } = this.keys(cellId, userId);
    const est = Math.ceil(estimateUsd * NANO);
    const cellCap = Math.floor(this.options.cellDailyUsd * NANO);
    const userCap = userKey === undefined ? -1 : Math.floor(this.options.userDailyUsd * NANO);
    const redis = this.options.redis as unknown as Record<string, ReserveCommand>;
    const reserveCommand = redis[RESERVE_COMMAND] as ReserveCommand;
    const [status, user, cell] = await reserveCommand.call(
      redis,
      userKey ?? cellKey,
      cellKey,
      est,
      userCap,
      cellCap,
      KEY_TTL_SECONDS,
    );
    if (status === 1)
      throw new BudgetExceededError(
        'user',
        this.options.userDailyUsd,
        user / NANO,
        nextUtcMidnight(this.now()),
      );
    if (status === 2)
      throw new BudgetExceededError(
        'cell',
        this.options.cellDailyUsd,
        cell / NANO,
        nextUtcMidnight(this.now()),
      );
    if (userKey !== undefined) this.warnOnCrossing('user', userId, user - est, user, userCap);
    this.warnOnCrossing('cell', cellId, cell - est, cell, cellCap);
    return { userKey, cellKey, reservedNano: est };
  }

  /** Replaces the reservation by the real cost; a crossing of 80% is reported once answered. */
  async reconcile(
    reservation: Reservation,
    actualUsd: number,
    cellId: string,
    userId: string,
  ): Promise<void> {
    const delta = Math.ceil(actualUsd * NANO) - reservation.reservedNano;
    if (delta === 0) return;
    const { redis } = this.options;
    const { userKey, cellKey } = reservation;
    const [user, cell] = await Promise.all([
      userKey === undefined ? undefined : redis.incrby(userKey, delta),
      redis.incrby(cellKey, delta),
    ]);
    if (user !== undefined) {
      this.warnOnCrossing(
        'user',
        userId,
        user - delta,
        user,
        Math.floor(this.options.userDailyUsd * NANO),
      );
    }
    this.warnOnCrossing(
      'cell',
      cellId,
      cell - delta,
      cell,
      Math.floor(this.options.cellDailyUsd * NANO),
    );
  }

  /** Today's spend in USD. */
  async spent(cellId: string, userId: string): Promise<{ userUsd: number; cellUsd: number }> {
    const { userKey, cellKey } = this.keys(cellId, userId);
    this.options.beforeRead?.();
    const [cell, user] = await this.options.redis.mget(cellKey, ...(userKey ? [userKey] : []));
    return { userUsd: Number(user ?? 0) / NANO, cellUsd: Number(cell ?? 0) / NANO };
  }

  private warnOnCrossing(
    scope: BudgetScope,
    who: string,
    before: number,
    after: number,
    cap: number,
  ) {
    const line = cap * WARNING_RATIO;
    if (cap > 0 && before < line && after >= line)
      this.options.onWarning?.(scope, who, after / NANO, cap / NANO);
  }
}
