/**
 * Router benchmark (`make bench-router`): the same upstream cells and the same
 * load generator, several ways in:
 *   1. direct to a cell,
 *   2. through nginx with `hash $http_x_user_id consistent` (the industry baseline),
 *   3. through a Node TCP relay that pipes bytes without parsing HTTP (what any Node
 *      process pays to move them: the floor under every Node proxy),
 *   4. through a bare node:http + undici proxy (the floor any Node HTTP proxy starts from),
 *   5. through our router (real process: JWT check, placement, signing, streaming proxy),
 *      as one process and as two behind node:cluster,
 *   6. optionally through an earlier version of the router, from another checkout
 *      (BENCH_ROUTER_BASELINE_DIR).
 * For each: saturation throughput and p50/p99 (closed loop), then p50/p99 at
 * half of nginx's saturation rate (open loop), and the CPU time the proxy process
 * spent per request. Ratios come both as ratios of medians and as medians of
 * per-round ratios (`pairedPerRound`). Also the latency of the router's
 * own `503 cell_unavailable` for users of a dead cell. Writes bench/results/router.json.
 *
 * Env: BENCH_DURATION_MS (default 5000), BENCH_CONNECTIONS (default 32), BENCH_ROUNDS (default 3),
 * BENCH_ROUTER_NODE_ARGS (extra node flags for the router, e.g. `--cpu-prof`),
 * BENCH_TARGETS (comma-separated subset; nginx always runs as the baseline),
 * BENCH_ROUTER_BASELINE_DIR (a checkout of an earlier router, e.g. from `git archive`, with its
 * node_modules: run as the extra target `routerBaseline`, for before/after figures from one run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import postgres from 'postgres';
import {
  freePort,
  initPostgres,
  startPostgres,
  stopProcess,
  waitForPort,
  waitForPostgres,
} from '../deploy/local/native-servers.ts';
import { newId } from '../lib/ids.ts';
import { migrateControlPlane } from '../router/control-plane/migrate.ts';
import { RendezvousRing } from '../router/placement/ring.ts';
import { closedLoop, type LoadRequest, type LoadResult, openLoop } from './load-generator.ts';

const DURATION = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
const SECRETS = {
  ROUTER_SECRET: 'bench-router-secret-bench-router-secret',
  JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-bench',
  ADMIN_TOKEN: 'bench-admin-token-bench-admin-token-bench',
};

if (!existsSync(NGINX)) {
  console.error(
    `nginx not found at ${NGINX}: run \`make bench-router\` (it installs nginx-light), or set NGINX_BIN`,
  );
  process.exit(1);
}

const root = mkdtempSync(path.join(tmpdir(), 'bench-router-'));
chmodSync(root, 0o755);
const children: ChildProcess[] = [];
let pgPid: number | undefined;

function startChild(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  cwd = process.cwd(),
): ChildProcess {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) =>
    process.stderr.write(`[${path.basename(command)}] ${chunk}`),
  );
  children.push(child);
  return child;
}

/** CPU seconds (user + system) used so far by a process and every live descendant (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "(comm) ": state is field 3, utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
    return children.reduce((sum, child) => sum + cpuSeconds(child), own);
  } catch {
    return 0;
  }
}

async function cleanup(): Promise<void> {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  if (pgPid) await stopProcess(pgPid, 'SIGINT');
  rmSync(root, { recursive: true, force: true });
}

async function main() {
  // Control plane for the router.
  const pgPort = await freePort();
  const pgDir = path.join(root, 'pg');
  initPostgres({ dataDir: pgDir, port: pgPort, logFile: path.join(root, 'pg.log') });
  pgPid = startPostgres({
    dataDir: pgDir,
    port: pgPort,
    logFile: path.join(root, 'pg.log'),
    unsafeFast: true,
  });
  await waitForPostgres(pgPort);
  const dbUrl = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
  await migrateControlPlane(dbUrl);

  // Three live cells in one upstream process, plus one registered dead cell.
  const cellPorts = [await freePort(), await freePort(), await freePort()];
  const deadPort = await freePort();
  const upstream = startChild(process.execPath, [
    '--import',
    'tsx',
    'bench/router-upstream.ts',
    ...cellPorts.map(String),
  ]);
  await Promise.all(cellPorts.map((port) => waitForPort(port)));
  const cells = [
    ...cellPorts.map((port, i) => ({
      id: `cell-${i + 1}`,
      url: `http://127.0.0.1:${port}`,
      weight: 1,
    })),
    { id: 'cell-dead', url: `http://127.0.0.1:${deadPort}`, weight: 1 },
  ];
  const registry = path.join(root, 'cells.json');
  writeFileSync(registry, JSON.stringify({ cells }));

  // nginx with its own prefix, config and pid file, as the current user.
  const nginxPort = await freePort();
  const nginxDir = path.join(root, 'nginx');
  mkdirSync(path.join(nginxDir, 'logs'), { recursive: true });
  const user = userInfo();
  writeFileSync(
    path.join(nginxDir, 'nginx.conf'),
    `${user.uid === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${nginxDir}/nginx.pid;
error_log ${nginxDir}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${nginxDir}/body;
  proxy_temp_path ${nginxDir}/proxy;
  fastcgi_temp_path ${nginxDir}/fastcgi;
  uwsgi_temp_path ${nginxDir}/uwsgi;
  scgi_temp_path ${nginxDir}/scgi;
  upstream cells {
    hash $http_x_user_id consistent;
${cellPorts.map((port) => `    server 127.0.0.1:${port};`).join('\n')}
    keepalive 128;
  }
  server {
    listen 127.0.0.1:${nginxPort};
    location / {
      proxy_pass http://cells;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const nginxProcess = startChild(NGINX, [
    '-p',
    nginxDir,
    '-e',
    `${nginxDir}/logs/error.log`,
    '-c',
    `${nginxDir}/nginx.conf`,
    '-g',
    'daemon off;',
  ]);
  await waitForPort(nginxPort);

  // The floors: a bare node:http + undici proxy with the same ring, and below it a TCP relay
  // that moves the same bytes without parsing HTTP.
  const startFloor = async (script: string) => {
    const port = await freePort();
    const child = startChild(process.execPath, [
      '--import',
      'tsx',
      script,
      String(port),
      ...cellPorts.map(String),
    ]);
    await waitForPort(port);
    return { port, pid: child.pid };
  };
  const rawProxy = await startFloor('bench/router-raw-proxy.ts');
  const tcpRelay = await startFloor('bench/router-tcp-relay.ts');

  // Our router, as a real process (and optionally an earlier version of it, from another checkout).
  const extraNodeArgs = process.env.BENCH_ROUTER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const startRouter = async (
    cwd: string,
    entry = ['router/server.ts'],
  ): Promise<{ port: number; pid: number }> => {
    const port = await freePort();
    const child = startChild(
      process.execPath,
      [...extraNodeArgs, '--import', 'tsx', ...entry],
      {
        ...SECRETS,
        PORT: String(port),
        CONTROL_PLANE_DATABASE_URL: dbUrl,
        CELL_REGISTRY_FILE: registry,
        LOG_LEVEL: 'warn',
      },
      cwd,
    );
    await waitForPort(port, 30_000);
    return { port, pid: child.pid ?? 0 };
  };
  const routerProcess = await startRouter(process.cwd());
  // The capacity model's second figure: the same router as 2 processes behind node:cluster.
  const clusterProcess = await startRouter(process.cwd(), ['bench/router-cluster.ts', '2']);
  const baselineDir = process.env.BENCH_ROUTER_BASELINE_DIR;
  const baselineProcess = baselineDir ? await startRouter(path.resolve(baselineDir)) : undefined;

  // Users: 64 on live cells (by the router's own placement), 16 on the dead cell.
  const ring = new RendezvousRing(cells);
  const key = new TextEncoder().encode(SECRETS.JWT_SECRET);
  const live: LoadRequest[] = [];
  const dead: LoadRequest[] = [];
  const placed: { userId: string; cellId: string }[] = [];
  while (live.length < 64 || dead.length < 16) {
    const userId = newId();
    const owner = ring.lookup(userId);
    if (!owner) throw new Error('the ring has no cells');
    const onDead = owner === 'cell-dead';
    if ((onDead && dead.length >= 16) || (!onDead && live.length >= 64)) continue;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer('cellular-router')
      .setAudience('cellular-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
    const request = {
      path: '/v1/jobs?limit=20',
      headers: { authorization: `Bearer ${token}`, 'x-user-id': userId },
    };
    (onDead ? dead : live).push(request);
    placed.push({ userId, cellId: owner });
  }
  // The router serves only users with a recorded placement (the ring only plans), so record them;
  // the insert notifies every router, which is ready once each user gets an answer other than 401.
  const controlPlane = postgres(dbUrl, { max: 1, onnotice: () => {} });
  await controlPlane`insert into placements ${controlPlane(
    placed.map((p) => ({ user_id: p.userId, cell_id: p.cellId, reason: 'ring' })),
  )}`;
  await controlPlane.end();
  for (const base of [routerProcess, clusterProcess, baselineProcess].filter(
    (p) => p !== undefined,
  )) {
    const probe = live[0];
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${base.port}${probe?.path}`, {
        headers: probe?.headers,
      });
      await res.arrayBuffer();
      if (res.status !== 401) break;
      if (Date.now() > deadline) throw new Error('the router never saw the bench users');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const allTargets = {
    direct: `http://127.0.0.1:${cellPorts[0]}`,
    nginx: `http://127.0.0.1:${nginxPort}`,
    nodeTcpRelay: `http://127.0.0.1:${tcpRelay.port}`,
    nodeRawProxy: `http://127.0.0.1:${rawProxy.port}`,
    router: `http://127.0.0.1:${routerProcess.port}`,
    router2Processes: `http://127.0.0.1:${clusterProcess.port}`,
    ...(baselineProcess ? { routerBaseline: `http://127.0.0.1:${baselineProcess.port}` } : {}),
  };
  // The process tree whose CPU time each proxied request costs.
  // For direct, the upstream's own: what a node:http server spends to answer (the server half
  // of every Node proxy).
  const proxyPids: Record<string, number | undefined> = {
    direct: upstream.pid,
    nginx: nginxProcess.pid,
    nodeTcpRelay: tcpRelay.pid,
    nodeRawProxy: rawProxy.pid,
    router: routerProcess.pid,
    router2Processes: clusterProcess.pid,
    routerBaseline: baselineProcess?.pid,
  };
  // CPU per request is steadier than throughput on a shared machine: it does not
  // depend on how much of the cores the scheduler gave the proxy during the run.
  const measure = async (name: string, run: () => Promise<LoadResult>): Promise<LoadResult> => {
    const pid = proxyPids[name];
    const before = pid ? cpuSeconds(pid) : 0;
    const result = await run();
    if (!pid) return result;
    const cpuUsPerRequest = ((cpuSeconds(pid) - before) * 1e6) / Math.max(1, result.requests);
    return { ...result, proxyCpuUsPerRequest: Math.round(cpuUsPerRequest * 10) / 10 };
  };
  // BENCH_TARGETS=router (comma-separated) runs a subset, e.g. while profiling.
  const only = process.env.BENCH_TARGETS?.split(',');
  const targets = Object.fromEntries(
    Object.entries(allTargets).filter(([name]) => !only || only.includes(name) || name === 'nginx'),
  ) as typeof allTargets;
  // Interleaved rounds, median per target: the machine is shared and noisy, so a single
  // back-to-back run of each target mostly measures whoever else was busy at the time.
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const combine = (runs: LoadResult[]): LoadResult & { rounds: number[] } => ({
    ...(runs[0] as LoadResult),
    ...(runs[0]?.proxyCpuUsPerRequest === undefined
      ? {}
      : { proxyCpuUsPerRequest: median(runs.map((run) => run.proxyCpuUsPerRequest ?? 0)) }),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    rps: median(runs.map((run) => run.rps)),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p90Ms: median(runs.map((run) => run.p90Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    maxMs: Math.max(...runs.map((run) => run.maxMs)),
    rounds: runs.map((run) => run.rps),
  });
  const satRuns: Record<string, LoadResult[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url] of Object.entries(targets)) {
      await closedLoop(url, live, { connections: CONNECTIONS, durationMs: 1_000 }); // warm-up
      const run = await measure(name, () =>
        closedLoop(url, live, { connections: CONNECTIONS, durationMs: DURATION }),
      );
      satRuns[name] = [...(satRuns[name] ?? []), run];
      process.stderr.write(`round ${round} saturation ${name}: ${JSON.stringify(run)}\n`);
    }
  }
  const saturation = Object.fromEntries(
    Object.entries(satRuns).map(([name, runs]) => [name, combine(runs)]),
  );
  const rate = Math.round((saturation.nginx?.rps ?? 1000) / 2);
  const halfRuns: Record<string, LoadResult[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url] of Object.entries(targets)) {
      const run = await measure(name, () =>
        openLoop(url, live, { rate, durationMs: DURATION, connections: 256 }),
      );
      halfRuns[name] = [...(halfRuns[name] ?? []), run];
      process.stderr.write(`round ${round} half-rate ${name}: ${JSON.stringify(run)}\n`);
    }
  }
  const halfRate = Object.fromEntries(
    Object.entries(halfRuns).map(([name, runs]) => [name, combine(runs)]),
  );
  const deadCell = await openLoop(allTargets.router, dead, {
    rate: Math.min(rate, 2_000),
    durationMs: 3_000,
  });

  // Undefined when either side did not run (BENCH_TARGETS, no baseline), never a made-up figure.
  const ratio = (a?: number, b?: number) =>
    a === undefined || !b ? undefined : Math.round((a / b) * 1000) / 1000;
  // Paired per round: both targets ran back to back in the same round, so their ratio shares
  // that round's machine load; the median of these is steadier than a ratio of medians.
  const pairedRatio = (a: string, b: string, field: 'rps' | 'proxyCpuUsPerRequest' = 'rps') => {
    const runsA = satRuns[a];
    const runsB = satRuns[b];
    if (!runsA || !runsB) return undefined;
    const ratios = runsA
      .map((run, i) => ratio(run[field], runsB[i]?.[field]))
      .filter((r) => r !== undefined);
    return ratios.length > 0 ? median(ratios) : undefined;
  };
  const pairedAddedP99 = (name: string) => {
    const runs = halfRuns[name];
    const direct = halfRuns.direct;
    if (!runs || !direct) return undefined;
    const added = runs.flatMap((run, i) => {
      const base = direct[i]?.p99Ms;
      return base === undefined ? [] : [Math.round((run.p99Ms - base) * 1000) / 1000];
    });
    return added.length > 0 ? median(added) : undefined;
  };
  // A target's latency over direct in the half-rate runs (medians), when both ran.
  const overDirect = (name: string, field: 'p50Ms' | 'p99Ms' = 'p99Ms') => {
    const target = halfRate[name]?.[field];
    const direct = halfRate.direct?.[field];
    if (target === undefined || direct === undefined) return undefined;
    return Math.round((target - direct) * 1000) / 1000;
  };
  const result = {
    benchmark: 'router',
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    setup: {
      upstream: '3 cells in one node process, small JSON answer',
      nginx: 'worker_processes 1, hash $http_x_user_id consistent, keepalive 128',
      nodeTcpRelay:
        'one node process piping each client connection to one cell connection: no HTTP parsing, no routing',
      nodeRawProxy: 'one node process: node:http + undici pool + pipe, same ring, nothing else',
      router: 'one node process: JWT verify, placement, HMAC signing, undici keep-alive pool',
      router2Processes: 'the same router as 2 worker processes behind node:cluster (round-robin)',
      routerBaseline: baselineDir ?? null,
      loadGenerator: 'undici, same process for every target',
      connections: CONNECTIONS,
      durationMs: DURATION,
      rounds: ROUNDS,
      aggregation: 'median of interleaved rounds',
      proxyCpuUsPerRequest:
        'user + system CPU of the proxy process tree per request (for direct: the upstream process)',
    },
    saturation,
    halfNginxRate: { rate, ...halfRate },
    ratios: {
      routerToNginxThroughput: ratio(saturation.router?.rps, saturation.nginx?.rps),
      nginxToDirectThroughput: ratio(saturation.nginx?.rps, saturation.direct?.rps),
      routerToDirectThroughput: ratio(saturation.router?.rps, saturation.direct?.rps),
      nodeRawProxyToNginxThroughput: ratio(saturation.nodeRawProxy?.rps, saturation.nginx?.rps),
      routerToNodeRawProxyThroughput: ratio(saturation.router?.rps, saturation.nodeRawProxy?.rps),
      routerBaselineToNginxThroughput: ratio(saturation.routerBaseline?.rps, saturation.nginx?.rps),
      routerToRouterBaselineThroughput: ratio(
        saturation.router?.rps,
        saturation.routerBaseline?.rps,
      ),
      router2ProcessesToRouterThroughput: ratio(
        saturation.router2Processes?.rps,
        saturation.router?.rps,
      ),
      router2ProcessesToNginxThroughput: ratio(
        saturation.router2Processes?.rps,
        saturation.nginx?.rps,
      ),
      routerToNginxCpuPerRequest: ratio(
        saturation.router?.proxyCpuUsPerRequest,
        saturation.nginx?.proxyCpuUsPerRequest,
      ),
      nodeRawProxyToNginxCpuPerRequest: ratio(
        saturation.nodeRawProxy?.proxyCpuUsPerRequest,
        saturation.nginx?.proxyCpuUsPerRequest,
      ),
      nodeTcpRelayToNginxCpuPerRequest: ratio(
        saturation.nodeTcpRelay?.proxyCpuUsPerRequest,
        saturation.nginx?.proxyCpuUsPerRequest,
      ),
      routerToRouterBaselineCpuPerRequest: ratio(
        saturation.router?.proxyCpuUsPerRequest,
        saturation.routerBaseline?.proxyCpuUsPerRequest,
      ),
    },
    pairedPerRound: {
      routerToNginxThroughput: pairedRatio('router', 'nginx'),
      router2ProcessesToRouterThroughput: pairedRatio('router2Processes', 'router'),
      routerBaselineToNginxThroughput: pairedRatio('routerBaseline', 'nginx'),
      nodeRawProxyToNginxThroughput: pairedRatio('nodeRawProxy', 'nginx'),
      routerToRouterBaselineThroughput: pairedRatio('router', 'routerBaseline'),
      routerToNginxCpuPerRequest: pairedRatio('router', 'nginx', 'proxyCpuUsPerRequest'),
      nodeRawProxyToNginxCpuPerRequest: pairedRatio(
        'nodeRawProxy',
        'nginx',
        'proxyCpuUsPerRequest',
      ),
      nodeTcpRelayToNginxCpuPerRequest: pairedRatio(
        'nodeTcpRelay',
        'nginx',
        'proxyCpuUsPerRequest',
      ),
      nodeTcpRelayToNginxThroughput: pairedRatio('nodeTcpRelay', 'nginx'),
      routerToRouterBaselineCpuPerRequest: pairedRatio(
        'router',
        'routerBaseline',
        'proxyCpuUsPerRequest',
      ),
      routerAddedP99AtHalfNginxRateMs: pairedAddedP99('router'),
      nginxAddedP99AtHalfNginxRateMs: pairedAddedP99('nginx'),
      routerBaselineAddedP99AtHalfNginxRateMs: pairedAddedP99('routerBaseline'),
    },
    addedLatencyAtHalfNginxRate: {
      routerP99OverDirectMs: overDirect('router'),
      nginxP99OverDirectMs: overDirect('nginx'),
      nodeTcpRelayP99OverDirectMs: overDirect('nodeTcpRelay'),
      nodeRawProxyP99OverDirectMs: overDirect('nodeRawProxy'),
      routerBaselineP99OverDirectMs: overDirect('routerBaseline'),
      routerP50OverDirectMs: overDirect('router', 'p50Ms'),
    },
    deadCell503: deadCell,
    targets: {
      routerToNginxThroughput: 0.85,
      routerToNginxCpuPerRequest: 2.5,
      addedP99Ms: 1,
      deadCell503P99Ms: 50,
    },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/router.json', `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

try {
  await main();
} finally {
  await cleanup();
}
