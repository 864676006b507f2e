/**
 * The local platform's topology: which processes exist for N cells, their
 * ports, data directories, environment and health endpoints. Pure data, so the
 * orchestrator, `make status` and the failover tests agree on one layout.
 */
import path from 'node:path';

export type PartKind = 'postgres' | 'redis' | 'node';
export type CellPart = 'api' | 'worker' | 'postgres' | 'redis';

export interface Component {
  /** Unique name, also the pid/log file name: `cell-2-api`, `router`, … */
  name: string;
  kind: PartKind;
  port: number;
  /** Cell number for cell parts. */
  cell?: number;
  part?: CellPart;
  /** Node entry file, relative to the repository root. */
  entry?: string;
  /** Data directory for Postgres and Redis. */
  dataDir?: string;
  /** URL polled for health: readiness for APIs, liveness otherwise. */
  healthUrl?: string;
  env?: Record<string, string>;
  /** Started after these components are healthy. */
  tier: number;
}

export interface Secrets {
  ROUTER_SECRET: string;
  JWT_SECRET: string;
  ADMIN_TOKEN: string;
  SECRETS_KEY: string;
}

/** The port plan; `offset` shifts every port, so tests can run beside a dev platform. */
export function portPlan(offset = 0) {
  return {
    router: 8080 + offset,
    pdf: 8090 + offset,
    ai: 8091 + offset,
    controlPostgres: 5500 + offset,
    sharedRedis: 6500 + offset,
    cellApi: (k: number) => 8100 + k + offset,
    cellWorker: (k: number) => 8200 + k + offset,
    cellPostgres: (k: number) => 5500 + k + offset,
    cellRedis: (k: number) => 6500 + k + offset,
  };
}

export type PortPlan = ReturnType<typeof portPlan>;

export const PORTS = portPlan();

export const MAX_CELLS = 99;

export interface TopologyOptions {
  cells: number;
  devDir: string;
  secrets: Secrets;
  /** Where Postgres data directories live (must be reachable by the postgres user). */
  postgresDataRoot: string;
  /** Shifts every port. @defaultValue 0 */
  portOffset?: number;
  /** Extra environment for every node process (e.g. quieter logs in tests). */
  extraEnv?: Record<string, string>;
  /** Cell numbers removed from the platform (`make remove-cell`): no processes. */
  removed?: readonly number[];
}

export function postgresUrl(port: number, database: string): string {
  return `postgres://postgres@127.0.0.1:${port}/${database}`;
}

export function redisUrl(port: number): string {
  return `redis://127.0.0.1:${port}`;
}

export const CELL_DATABASE = 'cell';
export const CONTROL_PLANE_DATABASE = 'control_plane';
export const AI_DATABASE = 'ai_optimizer';

export function cellId(k: number): string {
  return `cell-${k}`;
}

export function registryFile(devDir: string): string {
  return path.join(devDir, 'cells.json');
}

/** Every component of an N-cell platform, in start order by tier. */
export function buildTopology(options: TopologyOptions): Component[] {
  const { cells, devDir, secrets, postgresDataRoot } = options;
  const PORTS = portPlan(options.portOffset);
  const redisData = (name: string) => path.join(devDir, 'data', name);
  const shared = {
    AI_OPTIMIZER_URL: `http://127.0.0.1:${PORTS.ai}`,
    PDF_SERVICE_URL: `http://127.0.0.1:${PORTS.pdf}`,
  };
  const components: Component[] = [
    {
      name: 'control-postgres',
      kind: 'postgres',
      port: PORTS.controlPostgres,
      dataDir: path.join(postgresDataRoot, 'control-postgres'),
      tier: 0,
    },
    {
      name: 'shared-redis',
      kind: 'redis',
      port: PORTS.sharedRedis,
      dataDir: redisData('shared-redis'),
      tier: 0,
    },
  ];
  for (let k = 1; k <= cells; k++) {
    if (options.removed?.includes(k)) continue;
    const id = cellId(k);
    const cellEnv = {
      CELL_ID: id,
      DATABASE_URL: postgresUrl(PORTS.cellPostgres(k), CELL_DATABASE),
      REDIS_URL: redisUrl(PORTS.cellRedis(k)),
      ROUTER_SECRET: secrets.ROUTER_SECRET,
      SECRETS_KEY: secrets.SECRETS_KEY,
      ...shared,
    };
    components.push(
      {
        name: `${id}-postgres`,
        kind: 'postgres',
        port: PORTS.cellPostgres(k),
        cell: k,
        part: 'postgres',
        dataDir: path.join(postgresDataRoot, `${id}-postgres`),
        tier: 0,
      },
      {
        name: `${id}-redis`,
        kind: 'redis',
        port: PORTS.cellRedis(k),
        cell: k,
        part: 'redis',
        dataDir: redisData(`${id}-redis`),
        tier: 0,
      },
      {
        name: `${id}-api`,
        kind: 'node',
        port: PORTS.cellApi(k),
        cell: k,
        part: 'api',
        entry: 'cell/api/server.ts',
        healthUrl: `http://127.0.0.1:${PORTS.cellApi(k)}/health/ready`,
        env: { ...cellEnv, PORT: String(PORTS.cellApi(k)) },
        tier: 1,
      },
      {
        name: `${id}-worker`,
        kind: 'node',
        port: PORTS.cellWorker(k),
        cell: k,
        part: 'worker',
        entry: 'cell/workers/server.ts',
        healthUrl: `http://127.0.0.1:${PORTS.cellWorker(k)}/health/live`,
        env: { ...cellEnv, WORKER_PORT: String(PORTS.cellWorker(k)) },
        tier: 2,
      },
    );
  }
  components.push(
    {
      name: 'pdf',
      kind: 'node',
      port: PORTS.pdf,
      entry: 'shared-services/pdf/server.ts',
      healthUrl: `http://127.0.0.1:${PORTS.pdf}/health/ready`,
      env: { PORT: String(PORTS.pdf) },
      tier: 1,
    },
    {
      name: 'ai-optimizer',
      kind: 'node',
      port: PORTS.ai,
      entry: 'shared-services/ai-optimizer/server.ts',
      healthUrl: `http://127.0.0.1:${PORTS.ai}/health/ready`,
      env: {
        PORT: String(PORTS.ai),
        REDIS_URL: redisUrl(PORTS.sharedRedis),
        DATABASE_URL: postgresUrl(PORTS.controlPostgres, AI_DATABASE),
      },
      tier: 1,
    },
    {
      name: 'router',
      kind: 'node',
      port: PORTS.router,
      entry: 'router/server.ts',
      healthUrl: `http://127.0.0.1:${PORTS.router}/health/ready`,
      env: {
        PORT: String(PORTS.router),
        CONTROL_PLANE_DATABASE_URL: postgresUrl(PORTS.controlPostgres, CONTROL_PLANE_DATABASE),
        ROUTER_SECRET: secrets.ROUTER_SECRET,
        JWT_SECRET: secrets.JWT_SECRET,
        ADMIN_TOKEN: secrets.ADMIN_TOKEN,
        CELL_REGISTRY_FILE: registryFile(devDir),
        LOGIN_LIMIT_REDIS_URL: redisUrl(PORTS.sharedRedis),
      },
      tier: 3,
    },
  );
  return components.map((c) =>
    c.kind === 'node' ? { ...c, env: { ...options.extraEnv, ...c.env } } : c,
  );
}

/** The registry the router reads: every cell's id, URL and weight (removed cells left out). */
export function cellRegistry(cells: number, offset = 0, removed: readonly number[] = []) {
  const PORTS = portPlan(offset);
  return {
    cells: Array.from({ length: cells }, (_, i) => i + 1)
      .filter((k) => !removed.includes(k))
      .map((k) => ({ id: cellId(k), url: `http://127.0.0.1:${PORTS.cellApi(k)}`, weight: 1 })),
  };
}
