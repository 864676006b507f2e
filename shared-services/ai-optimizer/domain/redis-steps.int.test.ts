import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../../test/harness/databases.ts';
import { WriteBehind } from './redis-steps.ts';

let redis: Redis;
let other: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
  other = new Redis(testRedisUrl());
});
afterAll(async () => {
  await Promise.all([redis.quit(), other.quit()]);
});

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('deferred Redis writes', () => {
  it('are sent before a read of the same turn, so the read sees them', async () => {
    const key = `${uniquePrefix('steps')}:k`;
    const writes = new WriteBehind(redis);
    const { logger } = capturingLogger();
    writes.defer('fill', logger, () => redis.set(key, 'filled'));
    expect(await writes.step(() => redis.get(key))).toBe('filled');
  });

  it('send a step and every write deferred in one turn in one socket write', async () => {
    const prefix = uniquePrefix('steps');
    await redis.ping();
    const socket = redis.stream;
    const writev = socket._writev?.bind(socket);
    const write = socket._write.bind(socket);
    const chunks: number[] = [];
    socket._writev = (batch, callback) => {
      chunks.push(batch.length);
      writev?.(batch, callback);
    };
    socket._write = (chunk, encoding, callback) => {
      chunks.push(1);
      write(chunk, encoding, callback);
    };
    try {
      const writes = new WriteBehind(redis);
      const { logger } = capturingLogger();
      for (let i = 0; i < 5; i++)
        writes.defer('row', logger, () => redis.set(`${prefix}:${i}`, String(i)));
      const values = await Promise.all(
        writes.step(() => [redis.get(`${prefix}:0`), redis.get(`${prefix}:4`)]),
      );
      expect(values).toEqual(['0', '4']);
      expect(chunks).toEqual([7]);
    } finally {
      socket._writev = writev;
      socket._write = write;
    }
    expect(await other.mget([0, 1, 2, 3, 4].map((i) => `${prefix}:${i}`))).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
    ]);
  });

  it('log and count a failed write, and still land the others of the same flush', async () => {
    const prefix = uniquePrefix('steps');
    await redis.set(`${prefix}:text`, 'not a number');
    const failures: string[] = [];
    const writes = new WriteBehind(redis, (what) => failures.push(what));
    const { logger, lines } = capturingLogger();
    writes.defer('counter', logger, () => redis.incrby(`${prefix}:text`, 1));
    writes.defer('fill', logger, () => redis.set(`${prefix}:ok`, 'yes'));
    await writes.drain();
    expect(failures).toEqual(['counter']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      write: 'counter',
      msg: 'deferred Redis write failed',
    });
    expect(await other.get(`${prefix}:ok`)).toBe('yes');
  });

  it('are all acknowledged once drain() resolves', async () => {
    const key = `${uniquePrefix('steps')}:drained`;
    const writes = new WriteBehind(redis);
    writes.defer('fill', capturingLogger().logger, () => redis.set(key, 'done'));
    expect(writes.size).toBe(1);
    await writes.drain();
    expect(writes.size).toBe(0);
    expect(await other.get(key)).toBe('done');
  });
});
