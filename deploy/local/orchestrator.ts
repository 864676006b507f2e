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
  portPlan,
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

  /** The highest cell number of the running (or last started) platform. */
  recordedCells(): number | undefined {
    return this.#state()?.cells;
  }

  /** Cell numbers removed with `make remove-cell`. */
  removedCells(): number[] {
    return this.#state()?.removed ?? [];
  }

  #state(): { cells: number; removed?: number[] } | undefined {
    const file = this.file('state.json');
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as { cells: number; removed?: number[] };
  }

  #writeState(cells: number, removed: number[]): void {
    mkdirSync(this.devDir, { recursive: true });
    writeFileSync(this.file('state.json'), JSON.stringify({ cells, removed }));
    writeFileSync(
      registryFile(this.devDir),
      JSON.stringify(cellRegistry(cells, this.portOffset, removed), null, 2),
    );
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

  topology(cells: number, removed: readonly number[] = this.removedCells()): Component[] {
    return buildTopology({
      removed,
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

  /**
   * Brings the platform up tier by tier. On a running platform with fewer
   * cells it grows it (starts the new cells, registers them, rebalances);
   * with more cells it removes the extra ones only if they hold no users,
   * and otherwise refuses with the commands that drain them first.
   */
  async up(cells: number, onProgress: (name: string, outcome: string) => void): Promise<void> {
    const recorded = this.recordedCells();
    if (recorded !== undefined && recorded !== cells && this.anyRunning(recorded)) {
      if (cells > recorded) {
        await this.#startAll(recorded, onProgress);
        for (let k = recorded + 1; k <= cells; k++)
          await this.addCell(onProgress, { rebalance: false });
        await this.adminApi('POST', '/rebalance', {});
        return;
      }
      const extra = Array.from({ length: recorded - cells }, (_, i) => cells + 1 + i).filter(
        (k) => !this.removedCells().includes(k),
      );
      const { cells: registered } = (await this.adminApi('GET', '/cells')) as {
        cells: { id: string; users: number }[];
      };
      const holding = extra
        .map((k) => ({ k, users: registered.find((c) => c.id === `cell-${k}`)?.users ?? 0 }))
        .filter((cell) => cell.users > 0);
      if (holding.length > 0) {
        const commands = holding
          .map(({ k }) => `make drain-cell CELL=${k} && make remove-cell CELL=${k}`)
          .join(' && ');
        const what = holding.map(({ k, users }) => `cell-${k} holds ${users} users`).join(', ');
        throw new Error(
          `refusing to shrink to ${cells} cells: ${what}; migrate them first: ${commands}`,
        );
      }
      for (const k of extra.reverse())
        await this.removeCell(k, (name) => onProgress(name, 'stopped'));
      return;
    }
    if (recorded !== undefined && recorded > cells) {
      const kept = Array.from({ length: recorded - cells }, (_, i) => cells + 1 + i).filter(
        (k) => !this.removedCells().includes(k),
      );
      if (kept.length > 0) {
        // Stopped: the router cannot say who lives there, so never drop a cell blindly.
        throw new Error(
          `the platform was last run with ${recorded} cells; cell-${kept.join(', cell-')} may hold users. ` +
            `Run \`make dev-cells CELLS=${recorded}\`, then \`make dev-cells CELLS=${cells}\` (it removes empty cells, ` +
            `or says which to drain), or \`make clean\` to start over`,
        );
      }
    }
    this.#writeState(
      cells,
      this.removedCells().filter((k) => k <= cells),
    );
    await this.#startAll(cells, onProgress);
  }

  async #startAll(cells: number, onProgress: (name: string, outcome: string) => void) {
    const components = this.topology(cells);
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

  /** Calls the running router's admin API with the platform's admin token. */
  async adminApi(method: string, route: string, body?: unknown): Promise<unknown> {
    const url = `http://127.0.0.1:${portPlan(this.portOffset).router}/admin/v1${route}`;
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.secrets().ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } })?.error;
      throw new AdminApiError(response.status, error?.code, error?.message ?? text);
    }
    return parsed;
  }

  /**
   * Adds the next cell to a running platform: starts its Postgres, Redis, API
   * and worker, registers it with the router and (unless told not to) starts
   * a rebalance onto it. Returns the admin API's answer.
   */
  async addCell(
    onProgress: (name: string, outcome: string) => void,
    options: { rebalance: boolean } = { rebalance: true },
  ): Promise<unknown> {
    const recorded = this.recordedCells();
    if (!recorded || !this.anyRunning(recorded)) {
      throw new Error('the platform is not running; start it with `make dev-cells`');
    }
    const k = recorded + 1;
    const removed = this.removedCells();
    this.#writeState(k, removed);
    const parts = this.topology(k).filter((c) => c.cell === k);
    for (const tier of [0, 1, 2]) {
      await Promise.all(
        parts
          .filter((c) => c.tier === tier)
          .map(async (c) => onProgress(c.name, await this.start(c))),
      );
      if (tier === 0) await this.ensureDatabases(parts);
    }
    const registry = cellRegistry(k, this.portOffset, removed).cells.find(
      (c) => c.id === `cell-${k}`,
    );
    return this.adminApi('POST', '/cells', { ...registry, rebalance: options.rebalance });
  }

  /**
   * Unregisters cell k (the router refuses with 409 while it holds users) and
   * stops its processes. Idempotent.
   */
  async removeCell(k: number, onProgress: (name: string) => void): Promise<void> {
    const recorded = this.recordedCells();
    if (!recorded || k < 1 || k > recorded)
      throw new Error(`CELL must be between 1 and ${recorded ?? 0}`);
    try {
      await this.adminApi('DELETE', `/cells/cell-${k}`);
    } catch (error) {
      if (!(error instanceof AdminApiError && error.status === 404)) throw error;
    }
    const parts = this.topology(recorded, []).filter((c) => c.cell === k);
    for (const tier of [2, 1, 0]) {
      await Promise.all(
        parts
          .filter((c) => c.tier === tier)
          .map(async (c) => {
            if (await this.stop(c)) onProgress(c.name);
          }),
      );
    }
    const removed = [...new Set([...this.removedCells(), k])].sort((a, b) => a - b);
    // Removing the highest cells shrinks the platform; a hole in the middle is remembered.
    let cells = recorded;
    while (cells > 0 && removed.includes(cells)) cells--;
    this.#writeState(
      cells,
      removed.filter((r) => r <= cells),
    );
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
    return this.killComponent(this.cellComponent(cell, part));
  }

  /** SIGKILLs any component by name (`router`, `cell-2-api`…), for fault drills. */
  async killNamed(name: string): Promise<Component> {
    const component = this.topology(this.recordedCells() ?? 0).find((c) => c.name === name);
    if (!component) throw new Error(`unknown component ${name}`);
    return this.killComponent(component);
  }

  private async killComponent(component: Component): Promise<Component> {
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

/** A refusal or failure of the router's admin API, with its status and error code. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(`${status}${code ? ` ${code}` : ''}: ${message}`);
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
