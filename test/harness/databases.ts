/**
 * Per-test isolation on the run's shared servers: a fresh database per test
 * (or file) and a unique Redis key prefix. No shared seeded ids.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';

export interface TestDatabase {
  url: string;
  sql: postgres.Sql;
  /** Closes the connection and drops the database. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates an empty database on the run's Postgres; pass `migrate` to bring it to schema. */
export async function createTestDatabase(
  migrate?: (url: string) => Promise<unknown>,
): Promise<TestDatabase> {
  const adminUrl = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  if (migrate) await migrate(url);
  const sql = postgres(url, { max: 5, onnotice: () => {} });
  return {
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 1 });
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A key prefix no other test uses, for BullMQ queues and Redis keys. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}
