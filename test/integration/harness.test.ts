import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  type TestDatabase,
  testRedisUrl,
  uniquePrefix,
} from '../harness/databases.ts';

describe('test harness', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('gives each test a real, writable Postgres database of its own', async () => {
    await db.sql`create table notes (id int primary key, body text)`;
    await db.sql`insert into notes values (1, 'Zoë Ελληνικά Кириллица 中文')`;
    const [row] = await db.sql`select body, current_database() as name from notes`;
    expect(row?.body).toBe('Zoë Ελληνικά Кириллица 中文');
    expect(row?.name).toMatch(/^t_[0-9a-f]{12}$/);
  });

  it('gives a real Redis with noeviction and unique key prefixes', async () => {
    const redis = new Redis(testRedisUrl());
    try {
      const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
      expect(policy).toBe('noeviction');
      const prefix = uniquePrefix();
      expect(prefix).not.toBe(uniquePrefix());
      await redis.set(`${prefix}:k`, 'v');
      expect(await redis.get(`${prefix}:k`)).toBe('v');
    } finally {
      redis.disconnect();
    }
  });
});
