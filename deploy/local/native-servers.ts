/**
 * Native Postgres and Redis servers for local orchestration and the test
 * harness. Postgres refuses to run as root, so when we are root the cluster is
 * initialised and run as the unprivileged `postgres` system user (spawned with
 * its uid/gid); an ordinary developer runs it as themselves, unchanged.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export interface RunAs {
  uid: number;
  gid: number;
}

/** The identity Postgres runs as: the `postgres` user when we are root, else ourselves. */
export function postgresRunAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'Running as root, but there is no "postgres" system user to run Postgres as. Install it with: apt-get install -y postgresql',
    );
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Finds a Postgres binary (initdb, postgres, pg_ctl) on PATH or in Debian's versioned folder. */
export function findPostgresBinary(name: 'initdb' | 'postgres' | 'pg_isready'): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const candidate = path.join(root, version, 'bin', name);
      if (existsSync(candidate)) return candidate;
    }
  }
  const found = onPath(name);
  if (found) return found;
  throw new Error(`${name} not found. Install Postgres with: sudo apt-get install -y postgresql`);
}

export function findRedisServer(): string {
  const found =
    onPath('redis-server') ??
    (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined);
  if (!found)
    throw new Error(
      'redis-server not found. Install it with: sudo apt-get install -y redis-server',
    );
  return found;
}

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ensureDir(dir: string, owner?: RunAs): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(dir, owner.uid, owner.gid);
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  logFile: string;
  /** Trade durability for speed in throwaway test clusters. @defaultValue false */
  unsafeFast?: boolean;
}

/** Creates the cluster if its data directory is empty. Trust auth on loopback only. */
export function initPostgres(options: PostgresOptions): void {
  const runAs = postgresRunAs();
  if (existsSync(path.join(options.dataDir, 'PG_VERSION'))) return;
  ensureDir(options.dataDir, runAs);
  execFileSync(
    findPostgresBinary('initdb'),
    [
      '-D',
      options.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--no-instructions',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], ...runAs, cwd: '/' },
  );
}

/**
 * Starts `postgres` detached and returns its pid. The socket directory is the
 * data directory, so no system-wide path is needed.
 */
export function startPostgres(options: PostgresOptions): number {
  const runAs = postgresRunAs();
  ensureDir(path.dirname(options.logFile));
  const log = openSync(options.logFile, 'a');
  if (runAs) chownSync(options.logFile, runAs.uid, runAs.gid);
  const args = [
    '-D',
    options.dataDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${options.dataDir}`,
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=32MB',
  ];
  if (options.unsafeFast) {
    args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }
  const child = spawn(findPostgresBinary('postgres'), args, {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: '/',
    ...runAs,
  });
  child.unref();
  if (child.pid === undefined) throw new Error('failed to spawn postgres');
  return child.pid;
}

export interface RedisOptions {
  dir: string;
  port: number;
  logFile: string;
  /** Append-only persistence. @defaultValue true */
  appendOnly?: boolean;
}

/** Starts `redis-server` detached with `maxmemory-policy noeviction`; returns its pid. */
export function startRedis(options: RedisOptions): number {
  ensureDir(options.dir);
  ensureDir(path.dirname(options.logFile));
  const log = openSync(options.logFile, 'a');
  const args = [
    '--port',
    String(options.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    options.dir,
    '--appendonly',
    options.appendOnly === false ? 'no' : 'yes',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ];
  const child = spawn(findRedisServer(), args, {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: options.dir,
  });
  child.unref();
  if (child.pid === undefined) throw new Error('failed to spawn redis-server');
  return child.pid;
}

/** Polls a TCP port until something accepts connections. */
export async function waitForPort(
  port: number,
  timeoutMs = 30_000,
  host = '127.0.0.1',
): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
}

/** Waits until Postgres accepts queries (the port opens before recovery ends). */
export async function waitForPostgres(port: number, timeoutMs = 30_000): Promise<void> {
  const isReady = findPostgresBinary('pg_isready');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      execFileSync(isReady, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-q'], {
        stdio: 'ignore',
      });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`postgres on port ${port} not ready after ${timeoutMs} ms`);
}

/** The postmaster pid from `postmaster.pid`, if the cluster is running. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal` and waits for the process to exit, escalating to SIGKILL after `timeoutMs`. */
export async function stopProcess(
  pid: number,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 10_000,
): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface ThrowawayServers {
  /** Temporary directory holding both servers' data and logs. */
  root: string;
  postgresUrl: string;
  redisUrl: string;
  /** Stops both servers and removes their directory. */
  stop(): Promise<void>;
}

export interface ThrowawayOptions {
  /** Prefix of the temporary directory. */
  label: string;
  /** Durable settings (fsync, append-only Redis) as in production. @defaultValue false */
  durable?: boolean;
}

/**
 * One real Postgres and one real Redis on free ports in a temporary
 * directory, for the test harness and the benchmarks.
 */
export async function startThrowawayServers(options: ThrowawayOptions): Promise<ThrowawayServers> {
  const { chmodSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const root = mkdtempSync(path.join(tmpdir(), `${options.label}-`));
  // The postgres user must be able to reach its data directory inside ours.
  chmodSync(root, 0o755);
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  const pgDir = path.join(root, 'pg');
  const pgLog = path.join(root, 'pg.log');
  initPostgres({ dataDir: pgDir, port: pgPort, logFile: pgLog });
  const pgPid = startPostgres({
    dataDir: pgDir,
    port: pgPort,
    logFile: pgLog,
    unsafeFast: !options.durable,
  });
  const redisPid = startRedis({
    dir: path.join(root, 'redis'),
    port: redisPort,
    logFile: path.join(root, 'redis.log'),
    appendOnly: Boolean(options.durable),
  });
  const stop = async () => {
    await Promise.all([stopProcess(pgPid, 'SIGINT'), stopProcess(redisPid)]);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all([waitForPostgres(pgPort), waitForPort(redisPort)]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    root,
    postgresUrl: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    stop,
  };
}
