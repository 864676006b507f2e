/**
 * An in-process cell for integration tests: a fresh migrated database, the
 * run's real Redis under a unique queue prefix, the real services and app,
 * and a helper that signs requests the way the router does.
 */

import { type CellApp, createApp } from '../../cell/api/app.ts';
import type { CellBaseConfig, CellDiscoveryConfig, CellWorkflowConfig } from '../../cell/config.ts';
import { migrateCell } from '../../cell/db/migrate.ts';
import {
  buildCellServices,
  type CellServiceOverrides,
  type CellServices,
} from '../../cell/services.ts';
import { newId } from '../../lib/ids.ts';
import { createLogger } from '../../lib/logger.ts';
import { createMetrics } from '../../lib/metrics.ts';
import { IDENTITY_HEADERS, signIdentity } from '../../lib/router-signature.ts';
import { createTestDatabase, type TestDatabase, testRedisUrl, uniquePrefix } from './databases.ts';

export const TEST_ROUTER_SECRET = 'test-router-secret-0123456789abcdef-0123';

export interface TestCell {
  cellId: string;
  db: TestDatabase;
  redisUrl: string;
  queuePrefix: string;
  services: CellServices;
  app: CellApp;
  /** Headers the router would add for `userId`. */
  signedHeaders(userId: string, extra?: Record<string, string>): Record<string, string>;
  /** Creates a user in this cell and returns its id. */
  createUser(name?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestCellOptions {
  cellId?: string;
  databaseUrl?: string;
  /** @defaultValue the harness's Redis */
  redisUrl?: string;
  /** Discovery and workflow settings, e.g. job-board base URLs pointing at local fakes. */
  config?: Partial<CellDiscoveryConfig & CellWorkflowConfig> &
    Partial<Pick<CellBaseConfig, 'SECRETS_KEY' | 'PDF_SERVICE_URL' | 'GREENHOUSE_API_URL'>>;
  overrides?: CellServiceOverrides;
  /** @defaultValue 120 */
  rateLimitPerMinute?: number;
  /** The `/v1` deadline. @defaultValue 5000 */
  requestTimeoutMs?: number;
  /** @defaultValue 'http://127.0.0.1:9' (nothing listens: the embedded analyzer answers) */
  aiOptimizerUrl?: string;
}

export async function createTestCell(options: TestCellOptions = {}): Promise<TestCell> {
  const cellId = options.cellId ?? 'cell-test';
  const db = await createTestDatabase(migrateCell);
  const redisUrl = options.redisUrl ?? testRedisUrl();
  const queuePrefix = uniquePrefix('q');
  const logger = createLogger({ service: 'cell-test', level: 'silent' });
  const services = buildCellServices(
    {
      CELL_ID: cellId,
      DATABASE_URL: options.databaseUrl ?? db.url,
      REDIS_URL: redisUrl,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: queuePrefix,
      AI_OPTIMIZER_URL: options.aiOptimizerUrl ?? 'http://127.0.0.1:9',
      PDF_SERVICE_URL: 'http://127.0.0.1:9',
      // Nothing listens: tests never reach the real Greenhouse board (the workflow reads a
      // Greenhouse job's form questions; an unreadable board leaves them undrafted).
      JOB_BOARD_GREENHOUSE_URL: 'http://127.0.0.1:9',
      MIGRATE_ON_START: false,
      ...options.config,
    },
    logger,
    createMetrics({ service: 'cell-test' }),
    options.overrides,
  );
  const app = createApp(services, {
    routerSecret: TEST_ROUTER_SECRET,
    signatureMaxAgeMs: 30_000,
    bodyLimitBytes: 1_048_576,
    rateLimitPerMinute: options.rateLimitPerMinute,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  const signedHeaders = (userId: string, extra: Record<string, string> = {}) => {
    const requestId = newId();
    return {
      [IDENTITY_HEADERS.userId]: userId,
      [IDENTITY_HEADERS.cellId]: cellId,
      [IDENTITY_HEADERS.requestId]: requestId,
      [IDENTITY_HEADERS.signature]: signIdentity(TEST_ROUTER_SECRET, { userId, cellId }),
      ...extra,
    };
  };
  return {
    cellId,
    db,
    redisUrl,
    queuePrefix,
    services,
    app,
    signedHeaders,
    async createUser(name = 'Test User') {
      const id = newId();
      await services.users.initialize({ id, email: `${id}@example.test`, name });
      return id;
    },
    async close() {
      await services.close();
      await db.drop();
    },
  };
}
