import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../../test/harness/databases.ts';
import { reply, WriteBehind } from './redis-steps.ts';

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
    const writes = new WriteBehind(() => redis.pipeline());
    const { logger } = capturingLogger();
    writes.defer('fill', logger, (pipeline) => pipeline.set(key, 'filled'));
    const step = redis.pipeline();
    const value = reply<string | null>((callback) => step.get(key, callback));
    writes.send(step);
    expect(await value).toBe('filled');
  });

  it('coalesce every write deferred in one turn into one pipeline', async () => {
    const prefix = uniquePrefix('steps');
    const lengths: number[] = [];
    const writes = new WriteBehind(() => {
      const pipeline = redis.pipeline();
      const exec = pipeline.exec.bind(pipeline);
      pipeline.exec = () => {
        lengths.push(pipeline.length);
        return exec();
      };
      return pipeline;
    });
    const { logger } = capturingLogger();
    for (let i = 0; i < 5; i++)
      writes.defer('row', logger, (pipeline) => pipeline.set(`${prefix}:${i}`, String(i)));
    await writes.drain();
    expect(lengths).toEqual([5]);
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
    const writes = new WriteBehind(
      () => redis.pipeline(),
      (what) => failures.push(what),
    );
    const { logger, lines } = capturingLogger();
    writes.defer('counter', logger, (pipeline) => pipeline.incrby(`${prefix}:text`, 1));
    writes.defer('fill', logger, (pipeline) => pipeline.set(`${prefix}:ok`, 'yes'));
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
    const writes = new WriteBehind(() => redis.pipeline());
    writes.defer('fill', capturingLogger().logger, (pipeline) => pipeline.set(key, 'done'));
    expect(writes.size).toBe(1);
    await writes.drain();
    expect(writes.size).toBe(0);
    expect(await other.get(key)).toBe('done');
  });
});
