/**
 * Vitest global setup: one throwaway real Postgres cluster and one real Redis
 * per run, on free ports in temporary directories, removed afterwards. Tests
 * get their URLs with `inject('postgresUrl')` / `inject('redisUrl')` and make
 * their own database and key prefix (see ./databases.ts).
 */
import type { TestProject } from 'vitest/node';
import { startThrowawayServers } from '../../deploy/local/native-servers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = await startThrowawayServers({ label: 'cellular-test' });
  project.provide('postgresUrl', servers.postgresUrl);
  project.provide('redisUrl', servers.redisUrl);
  return () => servers.stop();
}
