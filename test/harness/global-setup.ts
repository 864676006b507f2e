/**
 * Vitest global setup: one throwaway real Postgres cluster and one real Redis
 * per run, on free ports in temporary directories, removed afterwards. Tests
 * get their URLs with `inject('postgresUrl')` / `inject('redisUrl')` and make
 * their own database and key prefix (see ./databases.ts).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  freePort,
  initPostgres,
  startPostgres,
  startRedis,
  stopProcess,
  waitForPort,
  waitForPostgres,
} from '../../deploy/local/native-servers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = mkdtempSync(path.join(tmpdir(), 'cellular-test-'));
  // The postgres user must be able to reach its data directory inside ours.
  chmodSync(root, 0o755);
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  const pgDir = path.join(root, 'pg');
  initPostgres({ dataDir: pgDir, port: pgPort, logFile: path.join(root, 'pg.log') });
  const pgPid = startPostgres({
    dataDir: pgDir,
    port: pgPort,
    logFile: path.join(root, 'pg.log'),
    unsafeFast: true,
  });
  const redisPid = startRedis({
    dir: path.join(root, 'redis'),
    port: redisPort,
    logFile: path.join(root, 'redis.log'),
    appendOnly: false,
  });
  try {
    await Promise.all([waitForPostgres(pgPort), waitForPort(redisPort)]);
  } catch (error) {
    await Promise.all([stopProcess(pgPid, 'SIGINT'), stopProcess(redisPid)]);
    throw error;
  }
  project.provide('postgresUrl', `postgres://postgres@127.0.0.1:${pgPort}/postgres`);
  project.provide('redisUrl', `redis://127.0.0.1:${redisPort}`);

  return async () => {
    await Promise.all([stopProcess(pgPid, 'SIGINT'), stopProcess(redisPid)]);
    rmSync(root, { recursive: true, force: true });
  };
}
