/**
 * Cell worker process: runs the cell's BullMQ workers apart from the API, with
 * its own `/health/live` and `/metrics`. SIGTERM closes every worker, letting
 * active jobs finish.
 */
import { Hono } from 'hono';
import { loadConfig } from '../../lib/config.ts';
import { listen } from '../../lib/http-server.ts';
import { createLogger } from '../../lib/logger.ts';
import { createMetrics } from '../../lib/metrics.ts';
import { createShutdown } from '../../lib/shutdown.ts';
import { cellWorkerConfigSchema } from '../config.ts';
import { migrateCell } from '../db/migrate.ts';
import { buildCellServices } from '../services.ts';
import { startCellWorkers } from './workers.ts';

const config = loadConfig(cellWorkerConfigSchema);
const logger = createLogger({
  service: 'cell-worker',
  level: config.LOG_LEVEL,
  bindings: { cellId: config.CELL_ID },
});
const shutdown = createShutdown(logger, { timeoutMs: 20_000 });
shutdown.installSignalHandlers();

if (config.MIGRATE_ON_START) await migrateCell(config.DATABASE_URL, logger);
const metrics = createMetrics({ service: 'cell-worker', defaultLabels: { cell: config.CELL_ID } });
const services = buildCellServices(config, logger, metrics);
shutdown.add('connections', () => services.close());

const workers = await startCellWorkers(services, {
  redisUrl: config.REDIS_URL,
  prefix: config.QUEUE_PREFIX,
  heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
});
shutdown.add('workers', () => workers.close());

const app = new Hono()
  .get('/health/live', (c) =>
    c.json({ status: 'live', cellId: config.CELL_ID, queues: workers.queueNames }),
  )
  .get('/metrics', (c) => metrics.handler(c));
const server = await listen(app, { port: config.WORKER_PORT, host: config.HOST });
shutdown.add('http', () => server.close());
logger.info({ url: server.url, queues: workers.queueNames }, 'cell worker running');
