/**
 * User-data benchmark (issue 13): what a move costs the two cells, warm, step
 * by step, on a quiet machine: each call the migrator makes of a cell's
 * internal API (dump, load, freeze, activate, tombstone, purge),
 * in process (`app.request`: no sockets), one at a time. Two cell databases on
 * one real Postgres (started here on throwaway ports); each user has profile
 * versions and manual jobs analyzed by the embedded analyzer, with their
 * events. `make bench-migration` measures a whole rebalance of young processes
 * under load; this one says which step costs what, in this process
 * (JavaScript) and in Postgres (every `postgres` process, from /proc), so a
 * change to the data path can be compared step by step.
 * Writes bench/results/user-data.json and prints the same JSON.
 *
 * Run: make bench-user-data  (or node --import tsx bench/user-data.ts)
 * Env: BENCH_USER_DATA_USERS (24 users, the first 4 discarded as warm-up),
 * BENCH_USER_DATA_JOBS (30 manual jobs per user), BENCH_USER_DATA_VERSIONS (3),
 * BENCH_USER_DATA_OTHER_USERS (0): other users both cells hold, so a step's cost
 * can be read against the cell's size (copies of the seeded users' rows, made in SQL).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { createApp } from '../cell/api/app.ts';
import { migrateCell } from '../cell/db/migrate.ts';
import { buildCellServices, type CellServices } from '../cell/services.ts';
import { startThrowawayServers } from '../deploy/local/native-servers.ts';
import { newId } from '../lib/ids.ts';
import { createLogger } from '../lib/logger.ts';
import { createMetrics } from '../lib/metrics.ts';
import { signIdentity } from '../lib/router-signature.ts';
import { envNumber } from './env.ts';
import { fillCell } from './fill-cell.ts';
import { percentile } from './stats.ts';

const env = (name: string, fallback: number) =>
  envNumber(name, fallback, { min: 1, integer: true });
const USERS = env('BENCH_USER_DATA_USERS', 24);
const JOBS = env('BENCH_USER_DATA_JOBS', 30);
const VERSIONS = env('BENCH_USER_DATA_VERSIONS', 3);
const WARM_UP = Math.min(4, USERS - 1);
const OTHER_USERS = envNumber('BENCH_USER_DATA_OTHER_USERS', 0, { min: 0, integer: true });
const SECRET = 'bench-router-secret-0123456789abcdef-0123';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resume = JSON.parse(
  readFileSync(path.join(repoRoot, 'test/fixtures/jsonresume/sample.resume.json'), 'utf8'),
) as { basics?: { summary?: string } } & Record<string, unknown>;

/**
 * CPU seconds of every `postgres` process now, from `/proc/<pid>/schedstat` (nanoseconds: the
 * ticks of `/proc/<pid>/stat` are 10 ms, as long as a step). Backends stay open (the pools keep
 * them), so none of a step's CPU leaves with an exited process.
 */
function postgresCpu(): number {
  let nanoseconds = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!command.startsWith('postgres')) continue;
      nanoseconds += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return nanoseconds / 1e9;
}

interface Step {
  wallMs: number;
  nodeCpuMs: number;
  postgresCpuMs: number;
}

/** Runs `work` once and measures it: wall time, this process's CPU, Postgres's CPU. */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; step: Step }> {
  const pgBefore = postgresCpu();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    result,
    step: {
      wallMs,
      nodeCpuMs: (cpu.user + cpu.system) / 1000,
      postgresCpuMs: (postgresCpu() - pgBefore) * 1000,
    },
  };
}

function cellServices(cellId: string, databaseUrl: string, redisUrl: string): CellServices {
  return buildCellServices(
    {
      CELL_ID: cellId,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: `bench-${cellId}`,
      AI_OPTIMIZER_URL: 'http://127.0.0.1:9',
      PDF_SERVICE_URL: 'http://127.0.0.1:9',
      MIGRATE_ON_START: false,
    },
    createLogger({ service: 'bench', level: 'silent' }),
    createMetrics({ service: 'bench' }),
  );
}

/** A user with profile versions and analyzed manual jobs, through the cell's own API. */
async function seedUser(source: CellServices, app: ReturnType<typeof createApp>, i: number) {
  const userId = newId();
  await source.users.initialize({ id: userId, email: `bench${i}@example.test`, name: 'Bench' });
  const headers = () => ({
    'content-type': 'application/json',
    'x-user-id': userId,
    'x-cell-id': 'cell-source',
    'x-request-id': newId(),
    'x-router-signature': signIdentity(SECRET, { userId, cellId: 'cell-source' }),
  });
  for (let v = 0; v < VERSIONS; v++) {
    const body = {
      ...resume,
      basics: { ...resume.basics, summary: `${resume.basics?.summary ?? ''} Version ${v + 1}.` },
    };
    const res = await app.request('/v1/profile', {
      method: 'PUT',
      headers: headers(),
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`profile: ${res.status} ${await res.text()}`);
  }
  for (let j = 0; j < JOBS; j++) {
    const res = await app.request('/v1/jobs', {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({
        title: ['Backend Engineer', 'Platform Engineer', 'SRE', 'Data Engineer'][j % 4],
        company: `Company ${j % 13}`,
        description: `${`User ${i}, job ${j}: build and run services in TypeScript, Go and PostgreSQL. `.repeat(20)}`,
        location: j % 3 === 0 ? 'Remote' : 'Berlin',
      }),
    });
    if (res.status !== 201) throw new Error(`job: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    await source.analysis.analyzeJob(id);
  }
  return userId;
}

/**
 * A move's steps at the cells, in the migrator's order (router-side steps left out). The
 * freeze answers with the frozen user's digests: the catch-up's check that the source is
 * unchanged since the dump, with no call of its own.
 */
const STEPS = ['dump', 'load', 'freeze', 'activate', 'tombstone', 'purge'] as const;
type StepName = (typeof STEPS)[number];

type CellApp = ReturnType<typeof createApp>;

/** A router-signed call to a cell's internal user endpoint, as the migrator makes it. */
async function internal(
  app: CellApp,
  cellId: string,
  userId: string,
  method: string,
  suffix: string,
  body?: string,
): Promise<string> {
  const res = await app.request(`/internal/v1/users/${userId}${suffix}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      'x-user-id': userId,
      'x-cell-id': cellId,
      'x-request-id': newId(),
      'x-router-signature': signIdentity(SECRET, { userId, cellId }),
    },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${suffix} on ${cellId}: ${res.status} ${text}`);
  return text;
}

const servers = await startThrowawayServers({ label: 'user-data-bench' });
try {
  const admin = postgres(servers.postgresUrl, { max: 1, onnotice: () => {} });
  await admin`create database source`;
  await admin`create database target`;
  await admin.end();
  const urlOf = (database: string) => servers.postgresUrl.replace(/\/postgres$/, `/${database}`);
  await migrateCell(urlOf('source'));
  await migrateCell(urlOf('target'));
  const source = cellServices('cell-source', urlOf('source'), servers.redisUrl);
  const target = cellServices('cell-target', urlOf('target'), servers.redisUrl);
  const app = createApp(source, {
    routerSecret: SECRET,
    signatureMaxAgeMs: 60_000,
    bodyLimitBytes: 1_048_576,
    rateLimitPerMinute: 1_000_000_000,
  });

  const targetApp = createApp(target, {
    routerSecret: SECRET,
    signatureMaxAgeMs: 60_000,
    bodyLimitBytes: 268_435_456,
    rateLimitPerMinute: 1_000_000_000,
  });

  const seedStarted = performance.now();
  const users: string[] = [];
  for (let i = 0; i < USERS; i++) users.push(await seedUser(source, app, i));
  await source.sql`vacuum analyze`;
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  // Other users: copies of the seeded users' rows in the source, and the same copies in the
  // target (the seeded users loaded there as a move does, copied, then removed again).
  const copies = Math.ceil(OTHER_USERS / USERS);
  if (copies > 0) {
    await fillCell(source.sql, copies);
    for (const userId of users) {
      const dump = await internal(app, 'cell-source', userId, 'GET', '/data');
      await internal(targetApp, 'cell-target', userId, 'PUT', '/data', dump);
    }
    await fillCell(target.sql, copies);
    for (const userId of users) await target.userData.purge(userId);
    await target.sql`delete from user_states`;
    await target.sql`vacuum analyze`;
  }
  const fillSeconds = (performance.now() - seedStarted) / 1000 - seedSeconds;

  // Each user's move, step by step through the cells' internal API (in process: no sockets),
  // one step at a time, so each step's Postgres CPU is its own.
  const samples = new Map<StepName, Step[]>(STEPS.map((name) => [name, []]));
  const bytes: number[] = [];
  for (const [i, userId] of users.entries()) {
    const from = (method: string, suffix: string, body?: string) =>
      measure(() => internal(app, 'cell-source', userId, method, suffix, body));
    const to = (method: string, suffix: string, body?: string) =>
      measure(() => internal(targetApp, 'cell-target', userId, method, suffix, body));
    const dump = await from('GET', '/data');
    const load = await to('PUT', '/data', dump.result);
    if (!(JSON.parse(load.result) as { matchesDump: boolean }).matchesDump) {
      throw new Error(`the load of ${userId} does not match its dump`);
    }
    const measured: Record<StepName, Step> = {
      dump: dump.step,
      load: load.step,
      freeze: (await from('PUT', '/freeze?waitMs=5000')).step,
      activate: (await to('POST', '/activate')).step,
      tombstone: (await from('PUT', '/tombstone', JSON.stringify({ movedTo: 'cell-target' }))).step,
      purge: (await from('DELETE', '/data')).step,
    };
    if (i < WARM_UP) continue;
    bytes.push(Buffer.byteLength(dump.result));
    for (const name of STEPS) samples.get(name)?.push(measured[name]);
  }

  const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
  const median = (values: number[]) =>
    round(
      percentile(
        [...values].sort((a, b) => a - b),
        50,
      ) ?? Number.NaN,
    );
  const steps = Object.fromEntries(
    STEPS.map((name) => {
      const list = samples.get(name) ?? [];
      return [
        name,
        {
          wallMs: median(list.map((s) => s.wallMs)),
          nodeCpuMs: median(list.map((s) => s.nodeCpuMs)),
          postgresCpuMs: median(list.map((s) => s.postgresCpuMs)),
        },
      ];
    }),
  ) as Record<StepName, Step>;
  const sum = (key: keyof Step) =>
    round(STEPS.reduce((total, name) => total + steps[name][key], 0));
  const result = {
    benchmark: 'user-data',
    settings: {
      users: USERS,
      warmUpUsers: WARM_UP,
      manualJobsPerUser: JOBS,
      profileVersionsPerUser: VERSIONS,
      otherUsersPerCell: copies * USERS,
    },
    data: {
      seedSeconds: round(seedSeconds),
      fillSeconds: round(fillSeconds),
      bytesPerUser: median(bytes),
    },
    /** Medians over the measured users, in milliseconds. */
    steps,
    /** The steps of one move added up (medians added: an estimate, not a median). */
    perMove: {
      wallMs: sum('wallMs'),
      nodeCpuMs: sum('nodeCpuMs'),
      postgresCpuMs: sum('postgresCpuMs'),
    },
  };
  mkdirSync(path.join(repoRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(
    path.join(repoRoot, 'bench', 'results', 'user-data.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  console.log(JSON.stringify(result, null, 2));
  await Promise.all([source.close(), target.close()]);
} finally {
  await servers.stop();
}
