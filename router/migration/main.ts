/**
 * The migrator as its own process (a Kubernetes Job, or an operator's shell):
 * `node --import tsx router/migration/main.ts`. It takes the migrator lock,
 * resumes the running operation from its recorded phases, runs it to its end
 * and the purges that are due, then exits (MIGRATOR_MODE=once, the default),
 * or keeps looking for work (MIGRATOR_MODE=watch). Killed at any point, it
 * leaves every user wholly in one cell; run it again to finish.
 */
import postgres from 'postgres';
import { loadConfig } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { reconnectBackoff } from '../../lib/postgres-backoff.ts';
import { createShutdown } from '../../lib/shutdown.ts';
import { ControlPlaneStore } from '../control-plane/control-plane-store.ts';
import { CellPools } from '../proxy/cell-pools.ts';
import { migratorConfigSchema } from './config.ts';
import { HttpCellDataClient } from './http-cell-data-client.ts';
import { MigrationRunner } from './migration-runner.ts';
import { MigrationStore } from './migration-store.ts';
import { Migrator } from './migrator.ts';

const config = loadConfig(migratorConfigSchema);
const logger = createLogger({ service: 'migrator', level: config.LOG_LEVEL });
const sql = postgres(config.CONTROL_PLANE_DATABASE_URL, {
  max: 4,
  onnotice: () => {},
  connect_timeout: 5,
  backoff: reconnectBackoff,
});
const controlPlane = new ControlPlaneStore(sql);
const store = new MigrationStore(sql);
const pools = new CellPools({ connections: 16, headersTimeoutMs: 60_000, bodyTimeoutMs: 60_000 });
const migrator = new Migrator(
  store,
  controlPlane,
  new HttpCellDataClient({
    routerSecret: config.ROUTER_SECRET,
    dispatcher: (cellId) => pools.get(cellId),
    freezeWaitMs: config.MIGRATION_FREEZE_WAIT_MS,
  }),
  logger,
  {
    concurrency: config.MIGRATOR_CONCURRENCY,
    copyBatch: config.MIGRATOR_COPY_BATCH,
    niceRatio: config.MIGRATOR_NICE_RATIO,
    purgeGraceMs: config.MIGRATION_PURGE_GRACE_MS,
    stepDelayMs: config.MIGRATION_STEP_DELAY_MS,
    unreachableGraceMs: config.MIGRATION_UNREACHABLE_GRACE_MS,
  },
);
const runner = new MigrationRunner(sql, migrator, logger);
const shutdown = createShutdown(logger, { timeoutMs: 30_000 });
shutdown.add('runner', () => runner.close());
shutdown.add('pools', () => pools.close());
shutdown.add('postgres', () => sql.end({ timeout: 5 }));
shutdown.installSignalHandlers();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  for (;;) {
    pools.sync(await controlPlane.listCells());
    const ran = await runner.tick();
    const running = await store.current();
    if (config.MIGRATOR_MODE === 'once' && ran && !running) break;
    await sleep(ran ? 100 : 1_000);
  }
  logger.info('no migration left to run');
  await shutdown.close();
  process.exit(0);
} catch (error) {
  logger.fatal({ err: error }, 'migrator failed');
  await shutdown.close();
  process.exit(1);
}
