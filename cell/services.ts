/**
 * The cell's services, built once per process and handed to the API through
 * the Hono context (and to the worker's processors). Domain logic lives here,
 * not in route handlers.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { CellBaseConfig } from './config.ts';
import { UsersService } from './domain/users.ts';
import { connectPostgres, connectRedisFailFast, type Sql } from './infra/connections.ts';

export interface CellServices {
  cellId: string;
  logger: Logger;
  metrics: Metrics;
  sql: Sql;
  redis: Redis;
  users: UsersService;
  /** Closes every connection; idempotent. */
  close(): Promise<void>;
}

export function buildCellServices(
  config: CellBaseConfig,
  logger: Logger,
  metrics: Metrics,
): CellServices {
  const sql = connectPostgres(config.DATABASE_URL);
  const redis = connectRedisFailFast(config.REDIS_URL, logger);
  let closing: Promise<void> | undefined;
  return {
    cellId: config.CELL_ID,
    logger,
    metrics,
    sql,
    redis,
    users: new UsersService(sql),
    close() {
      closing ??= Promise.allSettled([
        sql.end({ timeout: 5 }),
        redis.quit().catch(() => redis.disconnect()),
      ]).then(() => undefined);
      return closing;
    },
  };
}
