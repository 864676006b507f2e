/**
 * Exact cache in Redis: key = SHA-256 of task + tier + the normalized input
 * (canonical JSON, whitespace-collapsed strings), value = the answer with the
 * provider and model that produced it, kept for a TTL.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { normalizeText } from '../../../lib/ai/embedded/index.ts';

/** JSON with sorted keys and whitespace-normalized strings: equal meaning, equal text. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(normalizeText(value));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function exactKey(task: string, tier: number, input: unknown): string {
  return createHash('sha256')
    .update(`${task}\n${tier}\n${canonicalJson(input)}`)
    .digest('base64url');
}

export interface CachedAnswer<T = unknown> {
  output: T;
  provider: string;
  model: string;
}

export class ExactCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private redisKey(key: string): string {
    return `${this.prefix}exact:${key}`;
  }

  async get<T>(key: string): Promise<CachedAnswer<T> | undefined> {
    return decode<T>(await this.redis.get(this.redisKey(key)));
  }

  set(key: string, answer: CachedAnswer): Promise<unknown> {
    return this.redis.set(this.redisKey(key), JSON.stringify(answer), 'EX', this.ttlSeconds);
  }
}

function decode<T>(raw: string | null): CachedAnswer<T> | undefined {
  return raw ? (JSON.parse(raw) as CachedAnswer<T>) : undefined;
}
