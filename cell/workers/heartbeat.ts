/**
 * Worker heartbeat: a repeatable BullMQ job that proves the worker process is
 * consuming jobs. The API reads the last beat for `/health/ready` and `make status`.
 */
import type { Redis } from 'ioredis';

export const HEARTBEAT_QUEUE = 'heartbeat';
export const HEARTBEAT_KEY = 'cell:worker:heartbeat';

export interface Heartbeat {
  at: number;
  pid: number;
}

export async function recordHeartbeat(redis: Redis, now = Date.now()): Promise<void> {
  await redis.set(HEARTBEAT_KEY, JSON.stringify({ at: now, pid: process.pid }), 'EX', 3600);
}

export async function readHeartbeat(redis: Redis): Promise<Heartbeat | undefined> {
  const raw = await redis.get(HEARTBEAT_KEY);
  return raw ? (JSON.parse(raw) as Heartbeat) : undefined;
}
