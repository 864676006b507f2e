/**
 * A whole local platform for cross-process tests: real Postgres and Redis per
 * cell, real cell API and worker processes, shared services and the router,
 * started by the same orchestrator as `make dev-cells`, on shifted ports and
 * in a temporary directory so it never collides with a developer's platform.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Orchestrator } from '../../deploy/local/orchestrator.ts';
import {
  type CellPart,
  CONTROL_PLANE_DATABASE,
  cellId,
  type PortPlan,
  portPlan,
  postgresUrl,
} from '../../deploy/local/topology.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Platform {
  cells: number;
  ports: PortPlan;
  routerUrl: string;
  adminToken: string;
  orchestrator: Orchestrator;
  cellUrl(k: number): string;
  /** SIGKILLs one part of one cell. */
  kill(cell: number, part: CellPart): Promise<void>;
  /** Starts whatever parts of the cell are down and waits until they are healthy. */
  startCell(cell: number): Promise<void>;
  /** Waits until the router's health checks see the cell up again and route to it. */
  untilRouted(cell: number): Promise<void>;
  /** One request to the router's admin API with the admin token; the body is parsed JSON. */
  admin(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  restartRouter(): Promise<void>;
  /** SIGKILLs the router (no graceful stop), then starts it again and waits until it is healthy. */
  killRouter(): Promise<void>;
  /**
   * Starts the standalone migrator (`router/migration/main.ts`) on this
   * platform's control plane; `env` adds to or overrides its environment.
   */
  startMigrator(env: Record<string, string>, stdout: 'pipe' | 'inherit'): ChildProcess;
  stop(): Promise<void>;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Finds a port offset whose whole plan is free on this machine. */
async function freeOffset(cells: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Every planned port stays below Linux's ephemeral range (32768+): a port
    // freed by a killed process must not be handed out as some connection's
    // source port before that process restarts.
    const offset = 10_000 + Math.floor(Math.random() * 140) * 100;
    const plan = portPlan(offset);
    const ports = [plan.router, plan.pdf, plan.ai, plan.controlPostgres, plan.sharedRedis];
    for (let k = 1; k <= cells; k++) {
      ports.push(plan.cellApi(k), plan.cellWorker(k), plan.cellPostgres(k), plan.cellRedis(k));
    }
    const free = await Promise.all(ports.map(portIsFree));
    if (free.every(Boolean)) return offset;
  }
  throw new Error('no free port range for a test platform');
}

export async function startPlatform(options: {
  cells: number;
  env?: Record<string, string>;
}): Promise<Platform> {
  const devDir = mkdtempSync(path.join(tmpdir(), 'cellular-platform-'));
  chmodSync(devDir, 0o755);
  const portOffset = await freeOffset(options.cells);
  const orchestrator = new Orchestrator({
    repoRoot,
    devDir,
    portOffset,
    extraEnv: { LOG_LEVEL: 'warn', ...options.env },
  });
  const ports = portPlan(portOffset);
  /**
   * The cell answering its own health check is not enough: the router marks a
   * cell up only after its own checks pass (and after an ejection ends), so a
   * test that goes on at once could be refused cell_unavailable.
   */
  async function routerSeesUp(id: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { status, body } = await platform.admin('GET', '/cells');
      const cells = (body.cells ?? []) as { id: string; health: string }[];
      const cell = cells.find((c) => c.id === id);
      // A cell the router does not know (e.g. removed) has nothing to wait for.
      if (status === 200 && (!cell || cell.health === 'up')) return;
      if (Date.now() > deadline) throw new Error(`the router still sees ${id} down after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const platform: Platform = {
    cells: options.cells,
    ports,
    routerUrl: `http://127.0.0.1:${ports.router}`,
    adminToken: orchestrator.secrets().ADMIN_TOKEN,
    orchestrator,
    cellUrl: (k) => `http://127.0.0.1:${ports.cellApi(k)}`,
    startMigrator: (env, stdout) =>
      spawn(process.execPath, ['--import', 'tsx', 'router/migration/main.ts'], {
        cwd: repoRoot,
        stdio: ['ignore', stdout, 'inherit'],
        env: {
          ...process.env,
          CONTROL_PLANE_DATABASE_URL: postgresUrl(ports.controlPostgres, CONTROL_PLANE_DATABASE),
          ROUTER_SECRET: orchestrator.secrets().ROUTER_SECRET,
          ...env,
        },
      }),
    async kill(cell, part) {
      await orchestrator.kill(cell, part);
    },
    async startCell(cell) {
      await orchestrator.startCell(cell, () => {});
    },
    async untilRouted(cell) {
      await routerSeesUp(cellId(cell));
    },
    async admin(method, route, body) {
      const res = await fetch(`http://127.0.0.1:${ports.router}/admin/v1${route}`, {
        method,
        headers: {
          authorization: `Bearer ${orchestrator.secrets().ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
      };
    },
    async restartRouter() {
      await orchestrator.restart('router');
    },
    async killRouter() {
      const router = await orchestrator.killNamed('router');
      await orchestrator.start(router);
    },
    async stop() {
      await orchestrator.stopAll(() => {});
      // Set PLATFORM_LOGS_DIR to keep every process's log for a post-mortem.
      const keep = process.env.PLATFORM_LOGS_DIR;
      if (keep) cpSync(path.join(devDir, 'logs'), keep, { recursive: true });
      rmSync(devDir, { recursive: true, force: true });
    },
  };
  try {
    await orchestrator.up(options.cells, () => {});
  } catch (error) {
    await platform.stop();
    throw error;
  }
  return platform;
}

export { cellId };
