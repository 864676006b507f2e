/**
 * The cell's services, built once per process and handed to the API through
 * the Hono context (and to the worker's processors). Domain logic lives here,
 * not in route handlers.
 */
import type { Redis } from 'ioredis';
import { createSecretBox } from '../lib/crypto/secret-box.ts';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import {
  createSubmissionChannels,
  isChannelName,
  type SubmissionChannels,
} from './adapters/submission/registry.ts';
import type { CellBaseConfig } from './config.ts';
import { ChannelCredentialsStore } from './domain/applications/channel-credentials.ts';
import { SubmissionService } from './domain/applications/submission.ts';
import { UsersService } from './domain/users.ts';
import { connectPostgres, connectRedisFailFast, type Sql } from './infra/connections.ts';

export interface CellServices {
  cellId: string;
  logger: Logger;
  metrics: Metrics;
  sql: Sql;
  redis: Redis;
  users: UsersService;
  /** Submission channels (greenhouse, lever, ashby, email, webhook, manual). */
  channels: SubmissionChannels;
  /** Sealed per-user channel credentials. */
  channelCredentials: ChannelCredentialsStore;
  /** The submit-exactly-once protocol. */
  submissions: SubmissionService;
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
  const channels = createSubmissionChannels({
    ...(config.GREENHOUSE_API_URL ? { greenhouseUrl: config.GREENHOUSE_API_URL } : {}),
    ...(config.LEVER_API_URL ? { leverUrl: config.LEVER_API_URL } : {}),
    ...(config.ASHBY_API_URL ? { ashbyUrl: config.ASHBY_API_URL } : {}),
    ...(config.SUBMISSION_TIMEOUT_MS ? { timeoutMs: config.SUBMISSION_TIMEOUT_MS } : {}),
    ...(config.SMTP_URL ? { smtpUrl: config.SMTP_URL } : {}),
    ...(config.SMTP_FROM ? { smtpFrom: config.SMTP_FROM } : {}),
    remoteDedupes: (config.SUBMISSION_REMOTE_DEDUPES ?? '').split(',').filter(isChannelName),
  });
  const secretBox = config.SECRETS_KEY ? createSecretBox(config.SECRETS_KEY) : undefined;
  let closing: Promise<void> | undefined;
  return {
    cellId: config.CELL_ID,
    logger,
    metrics,
    sql,
    redis,
    users: new UsersService(sql),
    channels,
    channelCredentials: new ChannelCredentialsStore(sql, channels, secretBox),
    submissions: new SubmissionService(sql, channels, { logger }),
    close() {
      channels.close();
      closing ??= Promise.allSettled([
        sql.end({ timeout: 5 }),
        redis.quit().catch(() => redis.disconnect()),
      ]).then(() => undefined);
      return closing;
    },
  };
}
