/**
 * Local multi-cell orchestration with native processes: Postgres clusters and
 * Redis servers per cell, the cell API and worker, the shared services, the
 * control plane and the router. State lives in `.dev/` (git-ignored): pid
 * files, logs, data directories and generated secrets. Every operation is
 * idempotent and only ever signals pids it recorded itself.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import {
  initPostgres,
  isAlive,
  postgresRunAs,
  postmasterPid,
  startPostgres,
  startRedis,
  stopProcess,
  waitForPort,
  waitForPostgres,
} from './native-servers.ts';
import {
  AI_DATABASE,
  buildTopology,
  CELL_DATABASE,
  CONTROL_PLANE_DATABASE,
  type Component,
  cellRegistry,
  postgresUrl,
  registryFile,
  type Secrets,
} from './topology.ts';

export interface OrchestratorOptions {
  repoRoot: string;
  /** @defaultValue `<repoRoot>/.dev` */
  devDir?: string;
  /** Shifts every port (tests run beside a dev platform). @defaultValue 0 */
  portOffset?: number;
  /** Extra environment for every node process. */
  extraEnv?: Record<string, string>;
}

export interface ComponentStatus {
  component: Component;
  pid: number | undefined;
  running: boolean;
  health: string;
  rssKb: number;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Orchestrator {
  readonly repoRoot: string;
  readonly devDir: string;
  readonly portOffset: number;
  private readonly extraEnv: Record<string, string>;

  constructor(options: OrchestratorOptions) {
    this.repoRoot = options.repoRoot;
    this.devDir = options.devDir ?? path.join(options.repoRoot, '.dev');
    this.portOffset = options.portOffset ?? 0;
    this.extraEnv = options.extraEnv ?? {};
  }

  private file(...parts: string[]) {
    return path.join(this.devDir, ...parts);
  }

  /** Secrets generated once per checkout and reused, so data and tokens survive restarts. */
  secrets(): Secrets {
    const file = this.file('secrets.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Secrets;
    const secrets: Secrets = {
      ROUTER_SECRET: randomBytes(32).toString('hex'),
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_TOKEN: randomBytes(24).toString('hex'),
      SECRETS_KEY: randomBytes(32).toString('base64'),
    };
    mkdirSync(this.devDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    return secrets;
  }

  /** The number of cells of the running (or last started) platform. */
  recordedCells(): number | undefined {
    const file = this.file('state.json');
    if (!existsSync(file)) return undefined;
    return (JSON.parse(readFileSync(file, 'utf8')) as { cells: number }).cells;
  }

  /**
   * Postgres runs as the `postgres` user when we are root; that user must be
   * able to reach its data directory. A checkout under a private home (e.g.
   * /root) is not reachable, so the clusters then live under /var/tmp instead.
   */
  postgresDataRoot(): string {
    const preferred = this.file('data');
    const runAs = postgresRunAs();
    if (!runAs) return preferred;
    mkdirSync(preferred, { recursive: true });
    // Every ancestor must be searchable by "others" (the postgres user).
    let reachable = true;
    for (let dir = preferred; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) reachable = false;
    }
    if (reachable) return preferred;
    const hash = Buffer.from(this.repoRoot).toString('base64url').slice(-16);
    return path.join('/var/tmp', `cellular-pg-${hash}`);
  }

  topology(cells: number): Component[] {
    return buildTopology({
      cells,
      devDir: this.devDir,
      secrets: this.secrets(),
      postgresDataRoot: this.postgresDataRoot(),
      portOffset: this.portOffset,
      extraEnv: this.extraEnv,
    });
  }

  private pidFile(name: string) {
    return this.file('pids', `${name}.pid`);
  }

  logFile(name: string) {
    return this.file('logs', `${name}.log`);
  }

  /** The recorded pid, if that process is still ours and alive. */
  pidOf(component: Component): number | undefined {
    if (component.kind === 'postgres' && component.dataDir) {
      const pid = postmasterPid(component.dataDir);
      return pid !== undefined && isAlive(pid) && commandLineOf(pid).includes('postgres')
        ? pid
        : undefined;
    }
    const file = this.pidFile(component.name);
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (!isAlive(pid)) return undefined;
    const marker = component.kind === 'redis' ? 'redis-server' : (component.entry ?? '');
    return commandLineOf(pid).includes(marker) ? pid : undefined;
  }

  /** Starts one component unless it runs already; resolves once it is healthy. */
  async start(component: Component): Promise<'started' | 'running' | 'skipped'> {
    if (this.pidOf(component)) return 'running';
    mkdirSync(this.file('pids'), { recursive: true });
    mkdirSync(this.file('logs'), { recursive: true });
    const log = this.logFile(component.name);
    if (component.kind === 'postgres') {
      const dataDir = component.dataDir as string;
      initPostgres({ dataDir, port: component.port, logFile: log });
      startPostgres({ dataDir, port: component.port, logFile: log });
      await waitForPostgres(component.port, 60_000);
      return 'started';
    }
    if (component.kind === 'redis') {
      const pid = startRedis({
        dir: component.dataDir as string,
        port: component.port,
        logFile: log,
      });
      writeFileSync(this.pidFile(component.name), String(pid));
      await waitForPort(component.port, 30_000);
      return 'started';
    }
    const entry = component.entry as string;
    if (!existsSync(path.join(this.repoRoot, entry))) return 'skipped';
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: this.repoRoot,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...component.env },
    });
    child.unref();
    writeFileSync(this.pidFile(component.name), String(child.pid));
    await this.waitHealthy(component, 90_000);
    return 'started';
  }

  /** Polls a node component's health URL until it answers (any status) and its process lives. */
  private async waitHealthy(component: Component, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.pidOf(component)) {
        throw new Error(
          `${component.name} exited during start; see ${this.logFile(component.name)}:\n${tailOf(this.logFile(component.name))}`,
        );
      }
      try {
        const res = await fetch(component.healthUrl as string, {
          signal: AbortSignal.timeout(1_000),
        });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(
      `${component.name} not healthy after ${timeoutMs} ms; see ${this.logFile(component.name)}`,
    );
  }

  /** Creates the databases each Postgres needs; safe to repeat. */
  async ensureDatabases(components: Component[]): Promise<void> {
    const wanted = new Map<number, string[]>();
    for (const c of components) {
      if (c.kind !== 'postgres') continue;
      wanted.set(c.port, c.cell ? [CELL_DATABASE] : [CONTROL_PLANE_DATABASE, AI_DATABASE]);
    }
    await Promise.all(
      [...wanted].map(async ([port, databases]) => {
        const sql = postgres(postgresUrl(port, 'postgres'), { max: 1, onnotice: () => {} });
        try {
          for (const database of databases) {
            const [exists] = await sql`select 1 from pg_database where datname = ${database}`;
            if (!exists) await sql.unsafe(`create database ${database}`);
          }
        } finally {
          await sql.end();
        }
      }),
    );
  }

  /** Brings the platform up tier by tier; returns each component's outcome. */
  async up(cells: number, onProgress: (name: string, outcome: string) => void): Promise<void> {
    const recorded = this.recordedCells();
    if (recorded !== undefined && recorded !== cells && this.anyRunning(recorded)) {
      throw new Error(
        `a ${recorded}-cell platform is running; run \`make stop\` first to change the number of cells`,
      );
    }
    const components = this.topology(cells);
    writeFileSync(this.file('state.json'), JSON.stringify({ cells }));
    writeFileSync(
      registryFile(this.devDir),
      JSON.stringify(cellRegistry(cells, this.portOffset), null, 2),
    );
    const tiers = [...new Set(components.map((c) => c.tier))].sort((a, b) => a - b);
    for (const tier of tiers) {
      await Promise.all(
        components
          .filter((c) => c.tier === tier)
          .map(async (c) => onProgress(c.name, await this.start(c))),
      );
      if (tier === 0) await this.ensureDatabases(components);
    }
  }

  anyRunning(cells: number): boolean {
    return this.topology(cells).some((c) => this.pidOf(c) !== undefined);
  }

  /** Stops a component by its recorded pid (Postgres: fast shutdown). */
  async stop(component: Component, signal?: NodeJS.Signals): Promise<boolean> {
    const pid = this.pidOf(component);
    if (!pid) return false;
    await stopProcess(
      pid,
      signal ?? (component.kind === 'postgres' ? 'SIGINT' : 'SIGTERM'),
      20_000,
    );
    if (component.kind !== 'postgres') rmSync(this.pidFile(component.name), { force: true });
    return true;
  }

  /** Stops everything, routers and services first, data stores last. */
  async stopAll(onProgress: (name: string) => void): Promise<void> {
    const cells = this.recordedCells() ?? 0;
    const components = this.topology(Math.max(cells, 0));
    const tiers = [...new Set(components.map((c) => c.tier))].sort((a, b) => b - a);
    for (const tier of tiers) {
      await Promise.all(
        components
          .filter((c) => c.tier === tier)
          .map(async (c) => {
            if (await this.stop(c)) onProgress(c.name);
          }),
      );
    }
  }

  /**
   * Kills one part of one cell with SIGKILL, as a crash would: the whole
   * process group, so a Postgres postmaster takes its backends with it.
   */
  async kill(cell: number, part: string): Promise<Component> {
    const component = this.cellComponent(cell, part);
    const pid = this.pidOf(component);
    if (!pid) throw new Error(`${component.name} is not running`);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(50);
    if (component.kind !== 'postgres') rmSync(this.pidFile(component.name), { force: true });
    return component;
  }

  cellComponent(cell: number, part: string): Component {
    const cells = this.recordedCells();
    if (!cells) throw new Error('the platform has not been started; run `make dev-cells` first');
    if (!Number.isInteger(cell) || cell < 1 || cell > cells) {
      throw new Error(`CELL must be between 1 and ${cells}`);
    }
    const component = this.topology(cells).find((c) => c.cell === cell && c.part === part);
    if (!component) throw new Error('PART must be one of api, worker, postgres, redis');
    return component;
  }

  /** Starts whatever parts of one cell are not running, data stores first. */
  async startCell(
    cell: number,
    onProgress: (name: string, outcome: string) => void,
  ): Promise<void> {
    const cells = this.recordedCells();
    if (!cells) throw new Error('the platform has not been started; run `make dev-cells` first');
    const parts = ['postgres', 'redis', 'api', 'worker'].map((part) =>
      this.cellComponent(cell, part),
    );
    for (const tier of [0, 1, 2]) {
      await Promise.all(
        parts
          .filter((c) => c.tier === tier)
          .map(async (c) => onProgress(c.name, await this.start(c))),
      );
    }
  }

  async restart(name: string): Promise<void> {
    const cells = this.recordedCells() ?? 0;
    const component = this.topology(cells).find((c) => c.name === name);
    if (!component) throw new Error(`unknown component ${name}`);
    await this.stop(component);
    await this.start(component);
  }

  /** Each component with its pid, health and resident memory. */
  async status(): Promise<ComponentStatus[]> {
    const cells = this.recordedCells() ?? 0;
    return Promise.all(
      this.topology(cells).map(async (component) => {
        const pid = this.pidOf(component);
        return {
          component,
          pid,
          running: pid !== undefined,
          health: pid ? await this.health(component) : 'stopped',
          rssKb: pid ? groupRssKb(pid) : 0,
        };
      }),
    );
  }

  private async health(component: Component): Promise<string> {
    if (component.kind === 'postgres') {
      try {
        await waitForPostgres(component.port, 1_000);
        return 'accepting connections';
      } catch {
        return 'not accepting connections';
      }
    }
    if (component.kind === 'redis') {
      try {
        await waitForPort(component.port, 1_000);
        return 'listening';
      } catch {
        return 'not listening';
      }
    }
    try {
      const res = await fetch(component.healthUrl as string, {
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await res.json().catch(() => ({}))) as {
        failing?: string[];
        worker?: { lastHeartbeatAgeMs?: number | null };
      };
      if (res.ok) {
        const age = body.worker?.lastHeartbeatAgeMs;
        return typeof age === 'number'
          ? `ready (worker beat ${Math.round(age / 1000)}s ago)`
          : 'ready';
      }
      return `${res.status} failing: ${(body.failing ?? []).join(', ') || 'unknown'}`;
    } catch (error) {
      return `unreachable (${(error as Error).message})`;
    }
  }

  async clean(onProgress: (name: string) => void): Promise<void> {
    await this.stopAll(onProgress);
    const pgRoot = this.postgresDataRoot();
    rmSync(this.devDir, { recursive: true, force: true });
    if (!pgRoot.startsWith(this.devDir)) rmSync(pgRoot, { recursive: true, force: true });
  }
}

/** The last lines of a log file, to say why a process died. */
function tailOf(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The command line of a pid, to make sure a recorded pid is still ours. */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Summed resident memory of a process group (Postgres backends, worker threads…). */
export function groupRssKb(pgid: number): number {
  let total = 0;
  try {
    for (const entry of readdirSyncSafe('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+)/.exec(status);
      if (match?.[1]) total += Number(match[1]);
    }
  } catch {
    // processes come and go while we read /proc
  }
  return total;
}

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
