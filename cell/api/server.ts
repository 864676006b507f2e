/** Cell API process: load config, migrate, build services once, listen, drain on SIGTERM. */
import { loadConfig } from '../../lib/config.ts';
import { listen } from '../../lib/http-server.ts';
import { createLogger } from '../../lib/logger.ts';
import { createMetrics } from '../../lib/metrics.ts';
import { createShutdown } from '../../lib/shutdown.ts';
import { cellApiConfigSchema } from '../config.ts';
import { migrateCell } from '../db/migrate.ts';
import { buildCellServices } from '../services.ts';
import { createApp } from './app.ts';

const config = loadConfig(cellApiConfigSchema);
const logger = createLogger({
  service: 'cell-api',
  level: config.LOG_LEVEL,
  bindings: { cellId: config.CELL_ID },
});
const shutdown = createShutdown(logger);
shutdown.installSignalHandlers();

if (config.MIGRATE_ON_START) await migrateCell(config.DATABASE_URL, logger);
const services = buildCellServices(
  config,
  logger,
  createMetrics({ service: 'cell-api', defaultLabels: { cell: config.CELL_ID } }),
);
shutdown.add('connections', () => services.close());
const app = createApp(services, {
  routerSecret: config.ROUTER_SECRET,
  signatureMaxAgeMs: config.SIGNATURE_MAX_AGE_MS,
  bodyLimitBytes: config.BODY_LIMIT_BYTES,
  rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
  requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
  exportTimeoutMs: config.EXPORT_TIMEOUT_MS,
});
const server = await listen(app, { port: config.PORT, host: config.HOST });
shutdown.add('http', () => server.close());
logger.info({ url: server.url }, 'cell api listening');
