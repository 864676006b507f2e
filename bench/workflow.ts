/**
 * Applications workflow benchmark: workflows per second one cell completes end
 * to end in auto mode (generate 3 variants with the embedded AI provider →
 * verify → render through the real PDF service → submit to a fake Greenhouse
 * board), and the workflow latency (created → submitted, from the database).
 * Real Postgres and Redis (deploy/local/native-servers.ts, Redis with
 * appendonly like production) on throwaway ports; the cell API, its workers
 * and the PDF service run in this process (2 render threads).
 *
 * Phases, in one run: `single` (one workflow at a time: the unloaded baseline),
 * `burst` (BURST applications at once: the saturation throughput), `steady`
 * (RATE applications per second for SECONDS: p95 at the target rate).
 * Jobs are analyzed at setup, as discovery does on ingest.
 * Writes bench/results/workflow.json and prints the same JSON.
 *
 * Run: make bench-workflow  (or node --import tsx bench/workflow.ts)
 * Env: BURST (300), RATE (28), SECONDS (15), CONCURRENCY (16), USERS (40).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createApp } from '../cell/api/app.ts';
import { migrateCell } from '../cell/db/migrate.ts';
import { buildCellServices } from '../cell/services.ts';
import { startCellWorkers } from '../cell/workers/workers.ts';
import { startThrowawayServers } from '../deploy/local/native-servers.ts';
import { newId } from '../lib/ids.ts';
import { createLogger } from '../lib/logger.ts';
import { createMetrics } from '../lib/metrics.ts';
import { signIdentity } from '../lib/router-signature.ts';
import { startFakeGreenhouse } from '../test/fakes/greenhouse-board.ts';
import { SAMPLE_RESUME_TEXT, startPdfService, TEST_SECRETS_KEY } from '../test/harness/workflow.ts';
import { median, percentile } from './stats.ts';

const BURST = Number(process.env.BURST ?? 300);
const RATE = Number(process.env.RATE ?? 28);
const SECONDS = Number(process.env.SECONDS ?? 15);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const USERS = Number(process.env.USERS ?? 40);
const SINGLE = 15;
const SECRET = 'bench-router-secret-0123456789abcdef-0123';
const CELL_ID = 'cell-bench';

const servers = await startThrowawayServers({ label: 'workflow-bench', durable: true });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  const databaseUrl = servers.postgresUrl;
  const redisUrl = servers.redisUrl;
  await migrateCell(databaseUrl);
  const pdf = await startPdfService(2);
  const board = await startFakeGreenhouse({ apiKey: 'gh-key' });
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const services = buildCellServices(
    {
      CELL_ID,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: 'bench',
      AI_OPTIMIZER_URL: 'http://127.0.0.1:9',
      PDF_SERVICE_URL: pdf.url,
      MIGRATE_ON_START: false,
      SECRETS_KEY: TEST_SECRETS_KEY,
      GREENHOUSE_API_URL: `${board.url}/v1`,
      TAILOR_PROVIDER: 'embedded',
      WORKFLOW_CONCURRENCY: CONCURRENCY,
      BANDIT_SEED: 7,
    },
    logger,
    createMetrics({ service: 'bench' }),
  );
  const app = createApp(services, {
    routerSecret: SECRET,
    signatureMaxAgeMs: 60_000,
    bodyLimitBytes: 1_048_576,
    rateLimitPerMinute: 1_000_000,
  });
  const workers = await startCellWorkers(services, { redisUrl, prefix: 'bench' });
  const send = async (userId: string, method: string, url: string, body?: unknown) => {
    const requestId = newId();
    const res = await app.request(url, {
      method,
      headers: {
        'x-user-id': userId,
        'x-cell-id': CELL_ID,
        'x-request-id': requestId,
        'x-router-signature': signIdentity(SECRET, { userId, cellId: CELL_ID }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return res;
  };

  // Setup: users with the sample profile and employer keys; one analyzed Greenhouse job per workflow.
  const users: string[] = [];
  for (let i = 0; i < USERS; i += 1) {
    const id = newId();
    await services.users.initialize({ id, email: `${id}@bench.test`, name: `User ${i}` });
    await send(id, 'PUT', '/v1/profile', SAMPLE_RESUME_TEXT);
    await send(id, 'PUT', '/v1/channels/greenhouse/credentials', { apiKey: 'gh-key' });
    users.push(id);
  }
  const total = SINGLE + BURST + Math.ceil(RATE * SECONDS) + 10;
  const jobs: { userId: string; jobId: string }[] = [];
  for (let i = 0; i < total; i += 1) {
    const userId = users[i % USERS] as string;
    const jobId = newId();
    const description = `You have ${2 + (i % 6)}+ years with JavaScript, Node.js and distributed systems. Posting ${i}.\nNice to have: Python.`;
    await services.sql`
      insert into jobs (id, fingerprint, title, company, description, content_hash)
      values (${jobId}, ${`fp-${i}`}, 'Senior Software Engineer', 'Hooli', ${description}, ${`h${i}`})`;
    await services.sql`
      insert into postings (id, job_id, provider, board, external_id, title, company, description, content_hash)
      values (${newId()}, ${jobId}, 'greenhouse', 'hooli', ${`gh-${i}`}, 'Senior Software Engineer',
              'Hooli', ${description}, ${`h${i}`})`;
    await services.sql`insert into user_jobs (user_id, job_id) values (${userId}, ${jobId})`;
    await services.analysis.analyzeJob(jobId);
    jobs.push({ userId, jobId });
  }
  let next = 0;
  const apply = async () => {
    const job = jobs[next++];
    if (!job) throw new Error('out of jobs');
    const res = await send(job.userId, 'POST', '/v1/applications', {
      jobId: job.jobId,
      mode: 'auto',
      channel: 'greenhouse',
    });
    if (res.status !== 202) throw new Error(`apply: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { applicationId: string }).applicationId;
  };
  const waitDone = async (ids: string[], timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await services.sql<{ open: number }[]>`
        select count(*)::int as open from applications
        where id = any(${ids}) and status not in ('submitted', 'failed')`;
      if (!row || row.open === 0 || Date.now() > until) return;
      await sleep(25);
    }
  };
  const measure = async (ids: string[]) => {
    const rows = await services.sql<{ status: string; ms: number; created: Date; done: Date }[]>`
      select status, extract(epoch from (updated_at - created_at)) * 1000 as ms,
             created_at as created, updated_at as done
      from applications where id = any(${ids})`;
    const ok = rows.filter((r) => r.status === 'submitted');
    const ms = ok.map((r) => Number(r.ms)).sort((a, b) => a - b);
    const first = Math.min(...rows.map((r) => r.created.getTime()));
    const last = Math.max(...ok.map((r) => r.done.getTime()));
    return {
      workflows: ids.length,
      submitted: ok.length,
      failed: rows.length - ok.length,
      workflowsPerSecond: ok.length / ((last - first) / 1000),
      latencyMs: {
        p50: median(ms),
        p95: percentile(ms, 95),
        p99: percentile(ms, 99),
        max: ms.at(-1) ?? 0,
      },
    };
  };

  // Warm-up, then the unloaded baseline: one workflow at a time.
  await waitDone([await apply()], 30_000);
  const singleIds: string[] = [];
  for (let i = 0; i < SINGLE - 1; i += 1) {
    const id = await apply();
    singleIds.push(id);
    await waitDone([id], 30_000);
  }
  const single = await measure(singleIds);

  const cpu0 = process.cpuUsage();
  const burstIds = await Promise.all(Array.from({ length: BURST }, () => apply()));
  await waitDone(burstIds, 300_000);
  const burst = await measure(burstIds);

  const steadyIds: string[] = [];
  const start = Date.now();
  for (let i = 0; i < RATE * SECONDS; i += 1) {
    const due = start + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    steadyIds.push(await apply());
  }
  await waitDone(steadyIds, 300_000);
  const steady = await measure(steadyIds);
  const cpu = process.cpuUsage(cpu0);

  const [boardCount] = [board.applications.length];
  const result = {
    benchmark: 'workflow',
    machine: { cpus: cpus().length, loadavg: loadavg() },
    settings: {
      burst: BURST,
      rate: RATE,
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      users: USERS,
    },
    single,
    burst,
    steady,
    ratios: {
      burstP50ToSingleP50: burst.latencyMs.p50 / single.latencyMs.p50,
      steadyP95ToSingleP95: steady.latencyMs.p95 / single.latencyMs.p95,
    },
    exactlyOnce: {
      boardApplications: boardCount,
      submittedWorkflows: single.submitted + burst.submitted + steady.submitted + 1,
    },
    benchProcessCpuSeconds: (cpu.user + cpu.system) / 1e6,
    target: { workflowsPerSecond: 28, p95Ms: 2_000 },
    pass: burst.workflowsPerSecond >= 28 && steady.latencyMs.p95 < 2_000,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/workflow.json', `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  await workers.close();
  await services.close();
  await Promise.all([pdf.close(), board.close()]);
} finally {
  await servers.stop();
}
process.exit(0);
