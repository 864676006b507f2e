/**
 * Capacity benchmark: latency against load through the router, for a 1-cell
 * and a 3-cell platform on this machine. A closed-loop load generator
 * (undici) raises concurrency step by step over users spread across every
 * cell, with a request mix of profile reads, identity reads and job listings.
 * Writes bench/results/capacity.json and bench/results/capacity.svg.
 *
 * Run: make bench-capacity  (or node --import tsx bench/capacity.ts)
 * Env: LEVELS (comma list of concurrencies), STEP_SECONDS, USERS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApiClient, type TestUser } from '../test/harness/api-client.ts';
import { startPlatform } from '../test/harness/platform.ts';
import { percentile } from './stats.ts';

const LEVELS = (process.env.LEVELS ?? '1,2,4,8,16,32,64,128,256').split(',').map(Number);
const STEP_SECONDS = Number(process.env.STEP_SECONDS ?? 4);
const USERS = Number(process.env.USERS ?? 60);
const P95_BUDGET_MS = 200;

export interface LevelResult {
  concurrency: number;
  requests: number;
  errors: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
}

const SAMPLE_PROFILE = {
  basics: {
    name: 'Load Test',
    label: 'Engineer',
    email: 'load@example.test',
    summary: 'Builds systems.',
  },
  work: [
    { name: 'Acme', position: 'Engineer', startDate: '2020-01-01', highlights: ['Cut p95 by 40%'] },
  ],
  skills: [{ name: 'Backend', keywords: ['TypeScript', 'PostgreSQL', 'Redis'] }],
};

/** One request of the mix; returns whether it succeeded. */
async function oneRequest(client: ApiClient, user: TestUser, i: number): Promise<boolean> {
  const pick = i % 10;
  const path = pick < 5 ? '/v1/profile' : pick < 8 ? '/v1/me' : '/v1/jobs?limit=20';
  const res = await client.request('GET', path, { token: user.accessToken });
  return res.status === 200 || (path === '/v1/profile' && res.status === 404);
}

async function runLevel(
  client: ApiClient,
  users: TestUser[],
  concurrency: number,
): Promise<LevelResult> {
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const deadline = performance.now() + STEP_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const i = counter++;
        const user = users[i % users.length] as TestUser;
        const t0 = performance.now();
        const ok = await oneRequest(client, user, i).catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    requests: latencies.length,
    errors,
    throughput: Math.round(latencies.length / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
  };
}

function round(x: number) {
  return Math.round(x * 100) / 100;
}

async function measure(
  cells: number,
): Promise<{ cells: number; levels: LevelResult[]; capacity: number }> {
  const platform = await startPlatform({
    cells,
    env: { LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '1000000' },
  });
  const client = new ApiClient(platform.routerUrl, { connections: 128 });
  try {
    const users: TestUser[] = [];
    for (let i = 0; i < USERS; i++) users.push(await client.signup('cap'));
    await Promise.all(
      users.map((u) =>
        client.request('PUT', '/v1/profile', { token: u.accessToken, body: SAMPLE_PROFILE }),
      ),
    );
    await runLevel(client, users, 4); // warm-up: JIT, pools, caches
    const levels: LevelResult[] = [];
    for (const concurrency of LEVELS) {
      const result = await runLevel(client, users, concurrency);
      levels.push(result);
      console.error(
        `  ${cells} cell(s) c=${concurrency}: ${result.throughput} req/s p95=${result.p95} ms errors=${result.errors}`,
      );
    }
    const within = levels.filter((l) => l.p95 < P95_BUDGET_MS && l.errors === 0);
    const capacity = Math.max(0, ...within.map((l) => l.throughput));
    return { cells, levels, capacity };
  } finally {
    await client.close();
    await platform.stop();
  }
}

export function renderChart(series: { label: string; levels: LevelResult[] }[]): string {
  const width = 720;
  const height = 420;
  const margin = { left: 70, right: 20, top: 40, bottom: 60 };
  const all = series.flatMap((s) => s.levels);
  const maxX = Math.max(1, ...all.map((l) => l.throughput)) * 1.1;
  const maxY = Math.max(1, ...all.map((l) => l.p95)) * 1.1;
  const x = (v: number) => margin.left + (v / maxX) * (width - margin.left - margin.right);
  const y = (v: number) =>
    height - margin.bottom - (v / maxY) * (height - margin.top - margin.bottom);
  const colors = ['#1f77b4', '#d62728', '#2ca02c'];
  const lines = series
    .map((s, i) => {
      const points = s.levels
        .map((l) => `${x(l.throughput).toFixed(1)},${y(l.p95).toFixed(1)}`)
        .join(' ');
      const dots = s.levels
        .map(
          (l) =>
            `<circle cx="${x(l.throughput).toFixed(1)}" cy="${y(l.p95).toFixed(1)}" r="3" fill="${colors[i]}"/>`,
        )
        .join('');
      return `<polyline fill="none" stroke="${colors[i]}" stroke-width="2" points="${points}"/>${dots}
<text x="${width - 200}" y="${margin.top + 18 * i}" fill="${colors[i]}" font-size="13">${s.label}</text>`;
    })
    .join('\n');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<text x="${x(maxX * f).toFixed(1)}" y="${height - margin.bottom + 18}" font-size="11" text-anchor="middle">${Math.round(maxX * f)}</text>` +
        `<text x="${margin.left - 8}" y="${y(maxY * f).toFixed(1)}" font-size="11" text-anchor="end">${Math.round(maxY * f)}</text>`,
    )
    .join('');
  const budget =
    P95_BUDGET_MS < maxY
      ? `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(P95_BUDGET_MS)}" y2="${y(P95_BUDGET_MS)}" stroke="#999" stroke-dasharray="4"/><text x="${margin.left + 4}" y="${y(P95_BUDGET_MS) - 4}" font-size="11" fill="#666">p95 budget ${P95_BUDGET_MS} ms</text>`
      : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" role="img">
<title>p95 latency against throughput through the router, ${series.map((s) => s.label).join(' and ')}</title>
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" font-size="15" text-anchor="middle">p95 latency against throughput through the router</text>
<line x1="${margin.left}" y1="${height - margin.bottom}" x2="${width - margin.right}" y2="${height - margin.bottom}" stroke="black"/>
<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${height - margin.bottom}" stroke="black"/>
${ticks}
<text x="${width / 2}" y="${height - 18}" font-size="12" text-anchor="middle">throughput (requests/s)</text>
<text x="18" y="${height / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 18 ${height / 2})">p95 latency (ms)</text>
${budget}
${lines}
</svg>
`;
}

async function main() {
  const resultsDir = path.join(process.cwd(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const one = await measure(1);
  const three = await measure(3);
  const result = {
    benchmark: 'capacity',
    machine: { cores: (await import('node:os')).cpus().length },
    note: 'load generator, router, cells and their databases share this machine',
    p95BudgetMs: P95_BUDGET_MS,
    stepSeconds: STEP_SECONDS,
    oneCell: one,
    threeCells: three,
    perCellCapacityAtP95: one.capacity,
    scalingRatio3to1: one.capacity ? round(three.capacity / one.capacity) : null,
  };
  writeFileSync(path.join(resultsDir, 'capacity.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(
    path.join(resultsDir, 'capacity.svg'),
    renderChart([
      { label: '1 cell', levels: one.levels },
      { label: '3 cells', levels: three.levels },
    ]),
  );
  console.log(JSON.stringify(result));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
