import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/harness/databases.ts';
import { migrateCell } from './migrate.ts';

describe('cell migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('applies every migration once and is a no-op the second time', async () => {
    const first = await migrateCell(db.url);
    expect(first.length).toBeGreaterThan(0);
    expect(await migrateCell(db.url)).toEqual([]);
    const tables =
      await db.sql`select table_name from information_schema.tables where table_schema = 'public'`;
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['users', 'events']));
  });

  it('refuses to update or delete events', async () => {
    await migrateCell(db.url);
    const userId = '018f0000-0000-7000-8000-000000000001';
    await db.sql`insert into users (id, email, name) values (${userId}, 'a@example.com', 'A')`;
    await db.sql`insert into events (id, user_id, type) values (${userId}, ${userId}, 'job.discovered')`;
    await expect(db.sql`delete from events`).rejects.toThrow(/append-only/);
  });
});
