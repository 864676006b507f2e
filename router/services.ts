/**
 * Builds the router's services once at boot: control-plane connection and
 * sync, placement directory, health monitor, cell pools, identity and admin.
 * `start()` loads the registry and starts the background loops; `close()` is
 * idempotent and runs every cleanup even when one fails.
 */
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { ApiError, type DomainErrorMapper } from '../lib/errors.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { reconnectBackoff } from '../lib/postgres-backoff.ts';
import { AdminService } from './admin/admin-service.ts';
import type { RouterConfig } from './config.ts';
import { readCellRegistryFile } from './control-plane/cell-registry-file.ts';
import { ControlPlaneStore } from './control-plane/control-plane-store.ts';
import { ControlPlaneSync } from './control-plane/control-plane-sync.ts';
import { migrateControlPlane } from './control-plane/migrate.ts';
import { createRouterErrorMapper } from './errors.ts';
import { HealthMonitor } from './health/health-monitor.ts';
import { AccountStore } from './identity/account-store.ts';
import { AuthService } from './identity/auth-service.ts';
import { LoginLimiter } from './identity/login-limiter.ts';
import { AccessTokens } from './identity/tokens.ts';
import { createRouterMetrics, type RouterMetrics } from './metrics.ts';
import type { CellDataClient } from './migration/cell-data-client.ts';
import { HttpCellDataClient } from './migration/http-cell-data-client.ts';
import { MigrationRunner } from './migration/migration-runner.ts';
import { MigrationService } from './migration/migration-service.ts';
import { MigrationStore } from './migration/migration-store.ts';
import { Migrator } from './migration/migrator.ts';
import { MigrationPlanner } from './migration/planner.ts';
import { CellGate } from './placement/cell-gate.ts';
import { PlacementDirectory } from './placement/placement-directory.ts';
import { CellPools } from './proxy/cell-pools.ts';
import { CellProxy } from './proxy/cell-proxy.ts';
import { UserProvisioner } from './proxy/user-provisioner.ts';

export interface RouterServices {
  config: RouterConfig;
  logger: Logger;
  metrics: RouterMetrics;
  sql: postgres.Sql;
  directory: PlacementDirectory;
  health: HealthMonitor;
  pools: CellPools;
  gate: CellGate;
  proxy: CellProxy;
  tokens: AccessTokens;
  auth: AuthService;
  admin: AdminService;
  /** Cell lifecycle: add, rebalance, drain, remove, move, unpin, cancel, status. */
  lifecycle: MigrationService;
  migrator: Migrator;
  /** Runs the migrator in this process when MIGRATOR_ENABLED. */
  runner: MigrationRunner;
  cellData: CellDataClient;
  sync: ControlPlaneSync;
  /** Maps router domain errors to the one error format. */
  mapError: DomainErrorMapper;
  /** The HTTP status an error will be answered with. */
  errorStatus(error: unknown): number;
  /** Migrates (unless told not to), loads the registry file, syncs, starts health checks. */
  start(options?: { migrate?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface BuildOptions {
  logger?: Logger;
  /** The cells' per-user data endpoints. @defaultValue HTTP over the cell pools */
  cellData?: CellDataClient;
}

export function buildRouterServices(
  config: RouterConfig,
  options: BuildOptions = {},
): RouterServices {
  const logger = options.logger ?? createLogger({ service: 'router', level: config.LOG_LEVEL });
  const metrics = createRouterMetrics();
  const sql = postgres(config.CONTROL_PLANE_DATABASE_URL, {
    max: 10,
    onnotice: () => {},
    connect_timeout: 5,
    backoff: reconnectBackoff,
  });
  const store = new ControlPlaneStore(sql);
  const accounts = new AccountStore(sql);
  const directory = new PlacementDirectory();
  const pools = new CellPools({
    connectTimeoutMs: config.CELL_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: config.CELL_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: config.CELL_BODY_TIMEOUT_MS,
    connections: config.CELL_POOL_CONNECTIONS,
  });
  const health = new HealthMonitor((cellId) => pools.health(cellId), logger, {
    intervalMs: config.HEALTH_CHECK_INTERVAL_MS,
    timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
    failuresToDown: config.HEALTH_FAILURES_TO_DOWN,
    successesToUp: config.HEALTH_SUCCESSES_TO_UP,
    answerFailuresToDown: config.HEALTH_ANSWER_FAILURES_TO_DOWN,
    ejectMs: config.HEALTH_EJECT_MS,
    onChange: (cellId, up) => metrics.cellUp.set({ cell: cellId }, up ? 1 : 0),
  });
  directory.onChange((cells) => {
    pools.sync(cells);
    const known = new Set(cells.map((cell) => cell.id));
    for (const id of health.knownCells()) if (!known.has(id)) metrics.cellUp.remove({ cell: id });
    health.sync(cells);
  });
  const sync = new ControlPlaneSync(store, directory, logger, {
    pollMs: config.CONTROL_PLANE_POLL_MS,
  });
  const gate = new CellGate(directory, health, store);
  const cellData =
    options.cellData ??
    new HttpCellDataClient({
      routerSecret: config.ROUTER_SECRET,
      dispatcher: (cellId) => pools.get(cellId),
      freezeWaitMs: config.MIGRATION_FREEZE_WAIT_MS,
    });
  const migrations = new MigrationStore(sql);
  const migrator = new Migrator(
    migrations,
    store,
    cellData,
    logger,
    {
      concurrency: config.MIGRATOR_CONCURRENCY,
      copyBatch: config.MIGRATOR_COPY_BATCH,
      niceRatio: config.MIGRATOR_NICE_RATIO,
      purgeGraceMs: config.MIGRATION_PURGE_GRACE_MS,
      unreachableGraceMs: config.MIGRATION_UNREACHABLE_GRACE_MS,
    },
    {
      moved: (move, freezeSeconds) => {
        metrics.migrationUsers.inc({ outcome: 'moved' });
        metrics.migrationBytes.inc(move.bytes);
        if (freezeSeconds !== undefined) metrics.migrationFreeze.observe(freezeSeconds);
      },
      rolledBack: () => metrics.migrationUsers.inc({ outcome: 'rolled_back' }),
      failed: () => metrics.migrationUsers.inc({ outcome: 'failed' }),
      purged: () => metrics.migrationUsers.inc({ outcome: 'purged' }),
    },
  );
  const runner = new MigrationRunner(sql, migrator, logger);
  const tokens = new AccessTokens({
    secret: config.JWT_SECRET,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  const provisioner = new UserProvisioner(pools, health, {
    routerSecret: config.ROUTER_SECRET,
    timeoutMs: config.SIGNUP_CELL_TIMEOUT_MS,
  });
  // Commands fail at once while Redis is away (no offline queue), so logins fall back to
  // this replica's counts instead of waiting.
  const limiterRedis = config.LOGIN_LIMIT_REDIS_URL
    ? new Redis(config.LOGIN_LIMIT_REDIS_URL, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 2_000,
      })
    : undefined;
  limiterRedis?.on('error', () => {}); // reported by the limiter's warning, not per retry
  const limiterOptions = { windowMs: config.LOGIN_LIMIT_WINDOW_MS, redis: limiterRedis, logger };
  const auth = new AuthService(
    accounts,
    store,
    directory,
    gate,
    provisioner,
    cellData,
    (userId) => migrations.isMoving(userId),
    tokens,
    logger,
    {
      scryptLogN: config.PASSWORD_SCRYPT_LOG_N,
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
      ipLimiter: new LoginLimiter({
        ...limiterOptions,
        name: 'login-ip',
        limit: config.LOGIN_LIMIT_PER_IP,
      }),
      emailLimiter: new LoginLimiter({
        ...limiterOptions,
        name: 'login-email',
        limit: config.LOGIN_LIMIT_PER_EMAIL,
      }),
    },
  );
  const proxy = new CellProxy(pools, health, {
    routerSecret: config.ROUTER_SECRET,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    relocate: async (userId) => {
      await sync.reloadUsers([userId]);
      return directory.place(userId)?.cell.id;
    },
  });
  const admin = new AdminService(store, accounts, directory, gate, health);
  const lifecycle = new MigrationService(
    store,
    accounts,
    migrations,
    new MigrationPlanner(store),
    cellData,
    sync,
    // A replica with MIGRATOR_ENABLED=false never runs operations, not even those created
    // through its own admin API: the standalone migrator (a Kubernetes Job) runs them.
    () => {
      if (config.MIGRATOR_ENABLED) runner.wake();
    },
  );
  metrics.setMigrationProgress(async () => {
    metrics.overrides.set(directory.pinnedCount());
    const status = await lifecycle.current();
    if (!status) return null;
    const { total: _total, ...users } = status.users;
    return { kind: status.kind, users };
  });

  const mapError = createRouterErrorMapper(config.RETRY_AFTER_SECONDS);
  let closing: Promise<void> | undefined;
  return {
    config,
    logger,
    metrics,
    sql,
    directory,
    health,
    pools,
    gate,
    proxy,
    tokens,
    auth,
    admin,
    lifecycle,
    migrator,
    runner,
    cellData,
    sync,
    mapError,
    errorStatus: (error) =>
      error instanceof ApiError ? error.status : (mapError(error)?.status ?? 500),
    async start(startOptions = {}) {
      if (startOptions.migrate ?? true)
        await migrateControlPlane(config.CONTROL_PLANE_DATABASE_URL);
      if (config.CELL_REGISTRY_FILE) {
        const file = await readCellRegistryFile(config.CELL_REGISTRY_FILE);
        await store.upsertCells(file.cells);
      }
      await sync.start();
      await health.checkAll();
      health.start();
      if (config.MIGRATOR_ENABLED) {
        runner.start();
        runner.wake();
      }
    },
    close() {
      closing ??= (async () => {
        const steps: [string, () => Promise<unknown> | unknown][] = [
          ['migrator', () => runner.close()],
          ['health', () => health.stop()],
          ['sync', () => sync.close()],
          ['pools', () => pools.close()],
          ['login-limit-redis', () => limiterRedis?.quit().catch(() => limiterRedis.disconnect())],
          ['postgres', () => sql.end({ timeout: 5 })],
        ];
        for (const [name, step] of steps) {
          try {
            await step();
          } catch (error) {
            logger.error({ err: error, step: name }, 'router cleanup failed');
          }
        }
      })();
      return closing;
    },
  };
}
