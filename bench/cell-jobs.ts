/**
 * Cell job-listing benchmark: with 10,000 jobs for one user, the latency of
 * `GET /v1/jobs` measured at the cell (in-process `app.request`, real
 * Postgres and Redis started here on throwaway ports). The baseline in the
 * same run is `GET /v1/me`: the same signature check, rate limit and one
 * indexed row read, so the ratio shows what listing adds.
 * Writes bench/results/cell-jobs.json and prints the same JSON.
 *
 * Run: make bench-cell  (or node --import tsx bench/cell-jobs.ts)
 * Env: JOBS (default 10000), SAMPLES per scenario (default 1000).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createApp } from '../cell/api/app.ts';
import { migrateCell } from '../cell/db/migrate.ts';
import { encodeJobsCursor } from '../cell/domain/jobs/jobs.ts';
import { buildCellServices } from '../cell/services.ts';
import { startThrowawayServers } from '../deploy/local/native-servers.ts';
import { newId } from '../lib/ids.ts';
import { createLogger } from '../lib/logger.ts';
import { createMetrics } from '../lib/metrics.ts';
import { signIdentity } from '../lib/router-signature.ts';
import { percentile } from './stats.ts';

const JOBS = Number(process.env.JOBS ?? 10_000);
const SAMPLES = Number(process.env.SAMPLES ?? 1_000);
const P95_BUDGET_MS = 20;
const SECRET = 'bench-router-secret-0123456789abcdef-0123';
const CELL_ID = 'cell-bench';

const servers = await startThrowawayServers({ label: 'cell-jobs-bench' });

try {
  const databaseUrl = servers.postgresUrl;
  await migrateCell(databaseUrl);
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const services = buildCellServices(
    {
      CELL_ID,
      DATABASE_URL: databaseUrl,
      REDIS_URL: servers.redisUrl,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: 'bench',
      AI_OPTIMIZER_URL: 'http://127.0.0.1:9',
      PDF_SERVICE_URL: 'http://127.0.0.1:9',
      MIGRATE_ON_START: false,
    },
    logger,
    createMetrics({ service: 'bench' }),
  );
  const app = createApp(services, {
    routerSecret: SECRET,
    signatureMaxAgeMs: 60_000,
    bodyLimitBytes: 1_048_576,
    rateLimitPerMinute: 1_000_000_000,
  });

  // One user with JOBS jobs, plus another user with as many, so the index must discriminate.
  const userId = newId();
  const otherId = newId();
  await services.users.initialize({ id: userId, email: 'bench@example.test', name: 'Bench' });
  await services.users.initialize({ id: otherId, email: 'other@example.test', name: 'Other' });
  const seedStarted = performance.now();
  const jobIds: string[] = Array.from({ length: JOBS }, () => newId());
  const CHUNK = 2_000;
  for (let i = 0; i < JOBS; i += CHUNK) {
    const rows = jobIds.slice(i, i + CHUNK).map((id, k) => {
      const n = i + k;
      return {
        id,
        fingerprint: `bench-${n}`,
        title: `${['Senior', 'Staff', 'Junior'][n % 3]} ${['Backend', 'Frontend', 'Data'][(n % 5) % 3]} Engineer ${n}`,
        company: `Company ${n % 97}`,
        location: ['Berlin', 'Remote', 'New York, NY', 'London'][n % 4],
        remote: n % 4 === 1,
        description: `Description of job ${n}. `.repeat(200),
        content_hash: `h${n}`,
        analysis: {
          title: 'x',
          seniority: 'senior',
          mustHave: ['TypeScript'],
          niceToHave: [],
          keywords: ['TypeScript'],
          yearsMin: 3,
          location: null,
          remote: null,
        },
      };
    });
    await services.sql`
      insert into jobs (id, fingerprint, title, company, location, remote, description, content_hash, analysis)
      select * from jsonb_to_recordset(${services.sql.json(rows)})
        as x(id uuid, fingerprint text, title text, company text, location text, remote boolean,
             description text, content_hash text, analysis jsonb)`;
    const links = rows.flatMap((row, k) => [
      {
        user_id: userId,
        job_id: row.id,
        score: (i + k) % 101,
        status: (i + k) % 10 === 0 ? 'saved' : 'new',
      },
      { user_id: otherId, job_id: row.id, score: 50, status: 'new' },
    ]);
    await services.sql`
      insert into user_jobs (user_id, job_id, score, status)
      select * from jsonb_to_recordset(${services.sql.json(links)})
        as x(user_id uuid, job_id uuid, score int, status text)`;
  }
  await services.sql`vacuum analyze`;
  const seedMs = performance.now() - seedStarted;

  const headers = () => {
    const requestId = newId();
    return {
      'x-user-id': userId,
      'x-cell-id': CELL_ID,
      'x-request-id': requestId,
      'x-router-signature': signIdentity(SECRET, { userId, cellId: CELL_ID }),
    };
  };
  const sortedIds = [...jobIds].sort().reverse();
  const scenarios: Record<string, (i: number) => string> = {
    baseline_me: () => '/v1/me',
    list_first_page: () => '/v1/jobs?limit=20',
    list_first_page_100: () => '/v1/jobs?limit=100',
    list_deep_cursor: (i) =>
      `/v1/jobs?limit=20&cursor=${encodeJobsCursor(sortedIds[(i * 7919) % (JOBS - 50)] as string)}`,
    list_min_score_90: () => '/v1/jobs?limit=20&minScore=90',
    list_status_saved: () => '/v1/jobs?limit=20&status=saved',
    list_remote_location: () => '/v1/jobs?limit=20&remote=true&location=remote',
    list_text_search: () => '/v1/jobs?limit=20&q=staff',
  };

  // Round-robin over the scenarios so machine noise hits every one alike.
  const names = Object.keys(scenarios);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let i = 0; i < 100 + SAMPLES; i++) {
    for (const name of names) {
      const pathOf = scenarios[name] as (i: number) => string;
      const started = performance.now();
      const res = await app.request(pathOf(i), { headers: headers() });
      await res.arrayBuffer();
      const elapsed = performance.now() - started;
      if (res.status !== 200) throw new Error(`${name}: status ${res.status}`);
      if (i >= 100) samples.get(name)?.push(elapsed);
    }
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const results: Record<string, { p50: number; p95: number; p99: number; samples: number }> = {};
  for (const [name, latencies] of samples) {
    const sorted = latencies.sort((a, b) => a - b);
    results[name] = {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      samples: sorted.length,
    };
  }
  const baseline = results.baseline_me?.p95 ?? Number.NaN;
  const listings = Object.entries(results).filter(([name]) => name.startsWith('list_'));
  const worstP95 = Math.max(...listings.map(([, r]) => r.p95));
  const report = {
    benchmark: 'cell-jobs',
    jobsForUser: JOBS,
    seedMs: Math.round(seedMs),
    samplesPerScenario: SAMPLES,
    budgetP95Ms: P95_BUDGET_MS,
    results,
    p95RatioToBaseline: Object.fromEntries(
      listings.map(([name, r]) => [name, Math.round((r.p95 / baseline) * 100) / 100]),
    ),
    worstListingP95Ms: worstP95,
    pass: worstP95 < P95_BUDGET_MS,
    node: process.version,
    at: new Date().toISOString(),
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/cell-jobs.json', `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  await services.close();
  if (!report.pass) process.exitCode = 1;
} finally {
  await servers.stop();
}
