/**
 * AI optimizer benchmark (`make bench-ai`): 2,000 analyze-job requests built
 * from generated postings (30% reposts or light edits) against fake OpenAI and
 * Anthropic servers with a price list, on a real Redis. Reports cache hit rate
 * by kind, cost against an always-premium baseline on the same workload, false
 * near-duplicate hits on distinct jobs, the MinHash threshold measurement, and
 * the service's own overhead per request (provider time and batch wait
 * excluded, read from Server-Timing). Writes bench/results/ai.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startRedis, stopProcess, waitForPort } from '../deploy/local/native-servers.ts';
import { type AnalyzeJobResponse, TASK_PATHS } from '../lib/ai/contract.ts';
import { analyzeJob } from '../lib/ai/embedded/index.ts';
import { parseConfig } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { createApp } from '../shared-services/ai-optimizer/app.ts';
import { aiOptimizerConfigSchema } from '../shared-services/ai-optimizer/config.ts';
import type { CatalogEntry } from '../shared-services/ai-optimizer/domain/catalog.ts';
import { createOpenAiProvider } from '../shared-services/ai-optimizer/domain/chat-providers.ts';
import {
  jaccard,
  shingles,
  signature,
  similarity,
  words,
} from '../shared-services/ai-optimizer/domain/minhash.ts';
import { ProviderChain } from '../shared-services/ai-optimizer/domain/provider-chain.ts';
import { buildServices } from '../shared-services/ai-optimizer/services.ts';
import { startFakeLlmServer } from '../shared-services/ai-optimizer/test-support/fake-llm-server.ts';
import {
  buildWorkload,
  generateJob,
  lightlyEdit,
} from '../shared-services/ai-optimizer/test-support/job-corpus.ts';

const REQUESTS = Number(process.env.BENCH_AI_REQUESTS ?? 2000);
const CONCURRENCY = 8;
const PROVIDER_DELAY_MS = 3;

const PREMIUM: CatalogEntry = {
  provider: 'openai',
  model: 'gpt-premium',
  inputUsdPerMTok: 10,
  outputUsdPerMTok: 30,
  tier: 3,
  contextWindow: 128_000,
  batch: true,
};
const CATALOG: CatalogEntry[] = [
  PREMIUM,
  {
    provider: 'openai',
    model: 'gpt-mini',
    inputUsdPerMTok: 0.15,
    outputUsdPerMTok: 0.6,
    tier: 1,
    contextWindow: 128_000,
    batch: true,
  },
  {
    provider: 'anthropic',
    model: 'claude-mid',
    inputUsdPerMTok: 1,
    outputUsdPerMTok: 5,
    tier: 2,
    contextWindow: 200_000,
    batch: true,
  },
];

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

function timingOf(header: string | null, name: string): number {
  const match = header?.match(new RegExp(`${name};dur=([0-9.]+)`));
  return match ? Number(match[1]) : 0;
}

/** Similarity of light edits vs distinct postings: the data the threshold is chosen from. */
function measureThreshold() {
  const distinct = Array.from({ length: 300 }, (_, i) => generateJob(900_000 + i));
  const sets = distinct.map((job) =>
    shingles(words(`${job.title}\n${job.company}\n${job.location}\n${job.description}`)),
  );
  const sigs = sets.map(signature);
  let maxDistinctJaccard = 0;
  let maxDistinctEstimate = 0;
  const distinctEstimates: number[] = [];
  for (let i = 0; i < sets.length; i++)
    for (let j = i + 1; j < sets.length; j++) {
      maxDistinctJaccard = Math.max(
        maxDistinctJaccard,
        jaccard(sets[i] as Set<number>, sets[j] as Set<number>),
      );
      const est = similarity(sigs[i] as Uint32Array, sigs[j] as Uint32Array);
      distinctEstimates.push(est);
      maxDistinctEstimate = Math.max(maxDistinctEstimate, est);
    }
  const editEstimates = distinct.map((job, i) => {
    const edited = lightlyEdit(job, i);
    const a = signature(
      shingles(words(`${job.title}\n${job.company}\n${job.location}\n${job.description}`)),
    );
    const b = signature(
      shingles(
        words(`${edited.title}\n${edited.company}\n${edited.location}\n${edited.description}`),
      ),
    );
    return similarity(a, b);
  });
  return {
    distinctPairs: distinctEstimates.length,
    distinctMaxJaccard: round(maxDistinctJaccard),
    distinctMaxEstimate: round(maxDistinctEstimate),
    distinctP999Estimate: round(quantile(distinctEstimates, 0.999)),
    editPairs: editEstimates.length,
    editMinEstimate: round(Math.min(...editEstimates)),
    editP01Estimate: round(quantile(editEstimates, 0.01)),
    editMedianEstimate: round(quantile(editEstimates, 0.5)),
  };
}

async function main() {
  const root = mkdtempSync(path.join(tmpdir(), 'bench-ai-'));
  const port = await freePort();
  const redisPid = startRedis({
    dir: path.join(root, 'redis'),
    port,
    logFile: path.join(root, 'redis.log'),
    appendOnly: false,
  });
  const openai = await startFakeLlmServer('openai');
  const anthropic = await startFakeLlmServer('anthropic');
  openai.behave = () => ({ type: 'ok', delayMs: PROVIDER_DELAY_MS });
  anthropic.behave = () => ({ type: 'ok', delayMs: PROVIDER_DELAY_MS });
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const opened: { close(): Promise<void> }[] = [];
  try {
    await waitForPort(port);
    const make = (prefix: string, env: Record<string, string> = {}) => {
      const services = buildServices(
        parseConfig(aiOptimizerConfigSchema, {
          REDIS_URL: `redis://127.0.0.1:${port}`,
          AI_KEY_PREFIX: `${prefix}:`,
          LOG_LEVEL: 'silent',
          OPENAI_API_KEY: 'sk-bench',
          OPENAI_BASE_URL: openai.baseURL,
          ANTHROPIC_API_KEY: 'sk-ant-bench',
          ANTHROPIC_BASE_URL: anthropic.baseURL,
          AI_MODEL_CATALOG: JSON.stringify(CATALOG),
          AI_BUDGET_USER_DAILY_USD: '1000',
          AI_BUDGET_CELL_DAILY_USD: '100000',
          ...env,
        }),
        { logger },
      );
      opened.push(services);
      return createApp(services);
    };
    const call = async (app: ReturnType<typeof createApp>, job: object, user: string) => {
      const started = performance.now();
      const res = await app.request(TASK_PATHS['analyze-job'], {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cell-id': 'cell-1', 'x-user-id': user },
        body: JSON.stringify({ job }),
      });
      const body = (await res.json()) as AnalyzeJobResponse;
      const wall = performance.now() - started;
      const timing = res.headers.get('server-timing');
      return {
        status: res.status,
        body,
        wall,
        provider: timingOf(timing, 'provider'),
        batch: timingOf(timing, 'batch'),
      };
    };

    const threshold = measureThreshold();
    const workload = buildWorkload(REQUESTS, 42);

    // Warm-up (JIT, connections) on a throwaway prefix.
    const warm = make('warm');
    for (let i = 0; i < 50; i++) await call(warm, generateJob(777_000 + i), 'warm');

    // Main run: the optimizer with its defaults (5 ms batching window), CONCURRENCY in flight.
    openai.calls.length = 0;
    anthropic.calls.length = 0;
    const app = make('main');
    const results: Awaited<ReturnType<typeof call>>[] = new Array(workload.length);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < workload.length) {
          const index = next++;
          results[index] = await call(
            app,
            (workload[index] as (typeof workload)[number]).job,
            `user-${index % 50}`,
          );
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    const providerCalls = openai.calls.length + anthropic.calls.length;
    const byKind: Record<string, number> = { none: 0, exact: 0, near: 0, singleflight: 0 };
    let totalCost = 0;
    let wrongNear = 0;
    let falseNearOnNew = 0;
    const seenDescriptions = new Set<string>();
    for (const [i, r] of results.entries()) {
      byKind[r.body.meta.cache] = (byKind[r.body.meta.cache] ?? 0) + 1;
      totalCost += r.body.meta.costUsd;
      const item = workload[i] as (typeof workload)[number];
      if (r.body.meta.cache === 'near') {
        const expected = analyzeJob(item.job);
        const reading = (a: typeof expected) =>
          JSON.stringify([
            [...a.mustHave].sort(),
            [...a.niceToHave].sort(),
            a.yearsMin,
            a.seniority,
            a.remote,
          ]);
        if (reading(r.body.analysis) !== reading(expected)) wrongNear++;
        if (item.kind === 'new' && !seenDescriptions.has(item.job.description)) falseNearOnNew++;
      }
      seenDescriptions.add(item.job.description);
    }

    // Baseline: every request of the same workload sent to the premium model, no caches.
    const baselineChain = new ProviderChain({
      providers: {
        openai: createOpenAiProvider({
          kind: 'openai',
          apiKey: 'sk-bench',
          baseURL: openai.baseURL,
        }),
      },
      logger,
      maxRetries: 0,
    });
    let baselineCost = 0;
    next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < workload.length) {
          const index = next++;
          const result = await baselineChain.run(
            'analyze-job',
            { job: (workload[index] as (typeof workload)[number]).job },
            [PREMIUM],
            Date.now() + 30_000,
            0,
          );
          baselineCost += result.costUsd;
        }
      }),
    );

    // False near-duplicate hits: 500 distinct postings on a fresh cache.
    const distinctApp = make('distinct');
    let distinctNear = 0;
    const distinctJobs = Array.from({ length: 500 }, (_, i) => generateJob(5_000_000 + i));
    for (const job of distinctJobs)
      if ((await call(distinctApp, job, 'd')).body.meta.cache === 'near') distinctNear++;

    // Overhead without concurrency or batching: sequential requests, nothing else in flight.
    const seqApp = make('sequential', { AI_BATCH_WINDOW_MS: '0' });
    const seqOverhead: number[] = [];
    for (const item of workload.slice(0, 500)) {
      const r = await call(seqApp, item.job, 'seq');
      seqOverhead.push(r.wall - r.provider - r.batch);
    }

    const overhead = results.map((r) => r.wall - r.provider - r.batch);
    const batchWaits = results.filter((r) => r.body.meta.cache === 'none').map((r) => r.batch);
    const summary = {
      benchmark: 'ai-optimizer',
      requests: workload.length,
      workload: {
        new: workload.filter((w) => w.kind === 'new').length,
        reposts: workload.filter((w) => w.kind === 'repost').length,
        lightEdits: workload.filter((w) => w.kind === 'edit').length,
        concurrency: CONCURRENCY,
        fakeProviderDelayMs: PROVIDER_DELAY_MS,
      },
      catalog: CATALOG.map((e) => ({
        model: e.model,
        tier: e.tier,
        inUsdPerMTok: e.inputUsdPerMTok,
        outUsdPerMTok: e.outputUsdPerMTok,
      })),
      cache: {
        byKind,
        hitRate: round((workload.length - (byKind.none ?? 0)) / workload.length),
        exactRate: round((byKind.exact ?? 0) / workload.length),
        nearRate: round((byKind.near ?? 0) / workload.length),
        singleflightRate: round((byKind.singleflight ?? 0) / workload.length),
      },
      providerCalls,
      cost: {
        totalUsd: round(totalCost, 6),
        baselineAlwaysPremiumUsd: round(baselineCost, 6),
        ratioToBaseline: round(totalCost / baselineCost, 4),
        target: '<= 0.15',
      },
      nearDuplicate: {
        threshold: 0.6,
        measurement: threshold,
        falseHitsOnDistinctJobs: distinctNear,
        distinctJobsTested: distinctJobs.length,
        falseHitsOnNewPostingsInWorkload: falseNearOnNew,
        nearHitsDifferingFromEmbeddedReading: wrongNear,
        target: 0,
      },
      overheadMs: {
        note: 'wall time of app.request minus Server-Timing provider and batch durations',
        concurrent: {
          median: round(quantile(overhead, 0.5)),
          p99: round(quantile(overhead, 0.99)),
        },
        sequential: {
          median: round(quantile(seqOverhead, 0.5)),
          p99: round(quantile(seqOverhead, 0.99)),
        },
        batchWaitOnProviderCalls: {
          median: round(quantile(batchWaits, 0.5)),
          p99: round(quantile(batchWaits, 0.99)),
        },
        target: 'p99 <= 5',
      },
      throughputRps: round(workload.length / (elapsedMs / 1000), 1),
    };
    mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(
      path.join(import.meta.dirname, 'results', 'ai.json'),
      `${JSON.stringify(summary, null, 2)}\n`,
    );
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    await Promise.all(opened.map((s) => s.close()));
    await Promise.all([openai.close(), anthropic.close()]);
    await stopProcess(redisPid);
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
