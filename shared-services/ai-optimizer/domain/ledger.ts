/**
 * The cost ledger: one row per request (user, cell, task, provider, model,
 * tokens, cost, cache kind), in Redis streams, one per cell and one per user
 * of a cell, trimmed to the retention window. Stream ids are timestamps, so
 * `since` is a range start and paging resumes after the last id.
 */
import type { Redis } from 'ioredis';
import type { CacheKind, TaskName } from '../../../lib/ai/contract.ts';

export interface LedgerRow {
  cellId: string;
  userId: string;
  requestId: string;
  task: TaskName;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  cache: CacheKind;
  latencyMs: number;
}

export interface LedgerEntry extends LedgerRow {
  id: string;
  at: string;
}

export interface LedgerQuery {
  cellId: string;
  userId?: string;
  /** Epoch milliseconds. */
  sinceMs?: number;
  /** Resume after this entry id. */
  after?: string;
  limit: number;
}

export class Ledger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
    /** Called before a read, to send writes that were deferred (see redis-steps.ts). */
    private readonly beforeRead: () => void = () => undefined,
  ) {}

  private cellKey(cellId: string) {
    return `${this.prefix}ledger:${cellId}`;
  }

  private userKey(cellId: string, userId: string) {
    return `${this.prefix}ledger:${cellId}:user:${userId}`;
  }

  /** Appends the row to the cell's stream, and to the user's (cell-wide work has no user). */
  record(row: LedgerRow): Promise<unknown> {
    const minId = String(this.now() - this.retentionDays * 24 * 3600 * 1000);
    const fields = Object.entries(row).flatMap(([k, v]) => [k, String(v)]);
    const keys = [this.cellKey(row.cellId)];
    if (row.userId !== '') keys.push(this.userKey(row.cellId, row.userId));
    return Promise.all(
      keys.map((key) => this.redis.xadd(key, 'MINID', '~', minId, '*', ...fields)),
    );
  }

  async query(query: LedgerQuery): Promise<{ entries: LedgerEntry[]; next: string | null }> {
    const key = query.userId
      ? this.userKey(query.cellId, query.userId)
      : this.cellKey(query.cellId);
    const start = query.after
      ? `(${query.after}`
      : query.sinceMs !== undefined
        ? String(query.sinceMs)
        : '-';
    this.beforeRead();
    const raw = await this.redis.xrange(key, start, '+', 'COUNT', query.limit + 1);
    const entries = raw.slice(0, query.limit).map(([id, fields]) => {
      const record: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2)
        record[fields[i] as string] = fields[i + 1] as string;
      return {
        id,
        at: new Date(Number(id.split('-')[0])).toISOString(),
        cellId: record.cellId ?? query.cellId,
        userId: record.userId ?? '',
        requestId: record.requestId ?? '',
        task: record.task as TaskName,
        provider: record.provider ?? '',
        model: record.model ?? '',
        inputTokens: Number(record.inputTokens ?? 0),
        outputTokens: Number(record.outputTokens ?? 0),
        costUsd: Number(record.costUsd ?? 0),
        cache: (record.cache ?? 'none') as CacheKind,
        latencyMs: Number(record.latencyMs ?? 0),
      };
    });
    const next = raw.length > query.limit ? (entries.at(-1)?.id ?? null) : null;
    return { entries, next };
  }
}
