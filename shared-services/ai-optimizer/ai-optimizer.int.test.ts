import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyzeJobResponse, TASK_PATHS } from '../../lib/ai/contract.ts';
import { analyzeJob } from '../../lib/ai/embedded/index.ts';
import { parseConfig } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { testRedisUrl, uniquePrefix } from '../../test/harness/databases.ts';
import { createApp } from './app.ts';
import { aiOptimizerConfigSchema } from './config.ts';
import type { CatalogEntry } from './domain/catalog.ts';
import { buildServices } from './services.ts';
import { type FakeLlmServer, startFakeLlmServer } from './test-support/fake-llm-server.ts';
import { buildWorkload, generateJob, lightlyEdit } from './test-support/job-corpus.ts';

const logger = createLogger({ service: 'test', level: 'silent' });
const CHEAP: CatalogEntry = {
  provider: 'openai',
  model: 'gpt-cheap',
  inputUsdPerMTok: 1,
  outputUsdPerMTok: 4,
  tier: 3,
  contextWindow: 100_000,
  batch: true,
};
const CLAUDE: CatalogEntry = {
  ...CHEAP,
  provider: 'anthropic',
  model: 'claude-cheap',
  inputUsdPerMTok: 2,
};

let openai: FakeLlmServer;
let anthropic: FakeLlmServer;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  [openai, anthropic] = await Promise.all([
    startFakeLlmServer('openai'),
    startFakeLlmServer('anthropic'),
  ]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close()]);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  for (const fake of [openai, anthropic]) {
    fake.calls.length = 0;
    fake.behave = () => ({ type: 'ok' });
  }
});

function setup(env: Record<string, string> = {}, catalog: CatalogEntry[] | null = [CHEAP, CLAUDE]) {
  const config = parseConfig(aiOptimizerConfigSchema, {
    REDIS_URL: testRedisUrl(),
    AI_KEY_PREFIX: `${uniquePrefix('ai')}:`,
    LOG_LEVEL: 'silent',
    AI_BATCH_WINDOW_MS: '0',
    ...(catalog
      ? {
          OPENAI_API_KEY: 'sk-test',
          OPENAI_BASE_URL: openai.baseURL,
          ANTHROPIC_API_KEY: 'sk-ant-test',
          ANTHROPIC_BASE_URL: anthropic.baseURL,
          AI_MODEL_CATALOG: JSON.stringify(catalog),
        }
      : {}),
    ...env,
  });
  const services = buildServices(config, { logger });
  opened.push(services);
  return { services, app: createApp(services) };
}

/** A user's request headers; `user: null` is the cell's own work (a shared board job). */
const headers = (user: string | null = 'user-1', cell = 'cell-1') => ({
  'content-type': 'application/json',
  'x-cell-id': cell,
  ...(user === null ? {} : { 'x-user-id': user }),
});

async function analyze(
  app: ReturnType<typeof createApp>,
  job: object,
  user: string | null = 'user-1',
) {
  const res = await app.request(TASK_PATHS['analyze-job'], {
    method: 'POST',
    headers: headers(user),
    body: JSON.stringify({ job }),
  });
  return {
    res,
    body: (await res.json()) as AnalyzeJobResponse & {
      error?: { code: string; details: Record<string, unknown> };
    },
  };
}

describe('AI optimizer HTTP API', () => {
  it('answers with the embedded provider on a fresh machine with no keys', async () => {
    const { app } = setup({}, null);
    const { res, body } = await analyze(app, generateJob(1));
    expect(res.status).toBe(200);
    expect(body.meta).toMatchObject({ provider: 'embedded', costUsd: 0, cache: 'none' });
    expect(body.analysis.mustHave.length).toBeGreaterThan(0);
  });

  it('rejects a request without x-cell-id, or a user task without x-user-id, with 400', async () => {
    const { app } = setup({}, null);
    const problems = async (path: string, headers: Record<string, string>) => {
      const res = await app.request(path, { method: 'POST', headers, body: '{}' });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: unknown } };
      expect(body.error.code).toBe('bad_request');
      return JSON.stringify(body.error.details);
    };
    const json = { 'content-type': 'application/json' };
    expect(
      await problems(TASK_PATHS['tailor-resume'], { ...json, 'x-cell-id': 'cell-1' }),
    ).toContain('x-user-id');
    expect(await problems(TASK_PATHS['analyze-job'], { ...json, 'x-user-id': 'user-1' })).toContain(
      'x-cell-id',
    );
    expect(
      await problems(TASK_PATHS['analyze-job'], {
        ...json,
        'x-cell-id': 'cell-1',
        'x-user-id': 'not a user id',
      }),
    ).toContain('x-user-id');
  });

  it("analyzes a board job for the whole cell without x-user-id, charged to the cell's cap only", async () => {
    // A user cap so small that one call of a user is refused: the cell's own work is not held to it.
    const { app, services } = setup({ AI_BUDGET_USER_DAILY_USD: '0.0000001' });
    expect((await analyze(app, generateJob(7), 'user-1')).res.status).toBe(402);
    const { res, body } = await analyze(app, generateJob(8), null);
    expect(res.status).toBe(200);
    expect(body.meta.costUsd).toBeGreaterThan(0);
    // The cell's counter holds it (the refused user call reserved nothing); no user's counter does.
    const spent = await services.budgets.spent('cell-1', '');
    expect(spent.cellUsd).toBeCloseTo(body.meta.costUsd, 6);
    expect(spent.userUsd).toBe(0);
    expect((await services.budgets.spent('cell-1', 'user-1')).userUsd).toBe(0);
    const ledger = (await (
      await app.request('/v1/ledger?cellId=cell-1', { headers: headers() })
    ).json()) as { entries: { userId: string; task: string }[] };
    expect(ledger.entries).toEqual([expect.objectContaining({ userId: '', task: 'analyze-job' })]);
  });

  it('names each invalid field by JSON pointer', async () => {
    const { app } = setup({}, null);
    const res = await app.request(TASK_PATHS['tailor-resume'], {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ profile: {}, analysis: { title: 'x' }, strategy: 'creative' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: string; details: { problems: { pointer: string }[] } };
    };
    expect(body.error.code).toBe('validation_failed');
    const pointers = body.error.details.problems.map((p) => p.pointer);
    expect(pointers).toContain('/strategy');
    expect(pointers).toContain('/analysis/seniority');
  });

  it('scores and tailors with the embedded provider', async () => {
    const { app } = setup({}, null);
    const profile = {
      basics: { name: 'Ada' },
      skills: [{ name: 'Backend', keywords: ['Go', 'PostgreSQL'] }],
    };
    const analysis = (
      await analyze(app, { title: 'Go dev', description: 'You know Go and Kafka.' })
    ).body.analysis;
    const scored = await app.request(TASK_PATHS['score-match'], {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ profile, analysis }),
    });
    expect(((await scored.json()) as { match: { matched: string[] } }).match.matched).toEqual([
      'Go',
    ]);
    const tailored = await app.request(TASK_PATHS['tailor-resume'], {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ profile, analysis, strategy: 'concise' }),
    });
    const body = (await tailored.json()) as {
      variant: unknown;
      citations: unknown[];
      strategy: string;
    };
    expect(body.strategy).toBe('concise');
    // concise keeps only the skills the job asks for; with no label or role to lead a
    // summary, nothing is rephrased and nothing is cited.
    expect(body.variant).toEqual({
      basics: { name: 'Ada' },
      skills: [{ name: 'Backend', keywords: ['Go'] }],
    });
    expect(body.citations).toEqual([]);
  });

  it('records one ledger row per request, readable by its own cell only', async () => {
    const { app } = setup();
    await analyze(app, generateJob(2), 'user-a');
    await analyze(app, generateJob(2), 'user-b');
    await analyze(app, generateJob(3), 'user-a');
    const res = await app.request('/v1/ledger?cellId=cell-1&userId=user-a', {
      headers: headers('user-a'),
    });
    const body = (await res.json()) as {
      entries: { cache: string; costUsd: number; model: string }[];
      totalCostUsd: number;
    };
    expect(body.entries).toHaveLength(2);
    expect(body.entries.every((e) => e.model === 'gpt-cheap' && e.costUsd > 0)).toBe(true);
    const all = (await (
      await app.request('/v1/ledger?cellId=cell-1', { headers: headers() })
    ).json()) as { entries: { cache: string }[] };
    expect(all.entries.map((e) => e.cache)).toEqual(['none', 'exact', 'none']);
    const other = await app.request('/v1/ledger?cellId=cell-2', { headers: headers() });
    expect(other.status).toBe(403);
  });

  it('exposes metrics including cache hits and spend by cell', async () => {
    const { app } = setup();
    await analyze(app, generateJob(4));
    await analyze(app, generateJob(4));
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(/ai_cache_hits_total\{[^}]*kind="exact"[^}]*\} 1/);
    expect(text).toMatch(/ai_spend_usd_total\{[^}]*cell="cell-1"[^}]*provider="openai"/);
    expect(text).toMatch(/ai_breaker_state\{[^}]*provider="openai"[^}]*\} 0/);
  });
});

describe('AI optimizer cost control', () => {
  it('falls back to Anthropic when OpenAI fails, and says so in meta', async () => {
    openai.behave = () => ({ type: 'status', status: 500 });
    const { app } = setup({ AI_MAX_RETRIES: '0' });
    const { body } = await analyze(app, generateJob(5));
    expect(body.meta.provider).toBe('anthropic');
    expect(openai.calls).toHaveLength(1);
  });

  it('serves an identical request from the exact cache without a provider call', async () => {
    const { app } = setup();
    const job = generateJob(6);
    const first = await analyze(app, job);
    const second = await analyze(app, {
      ...job,
      description: `  ${job.description.replace(/\n/g, '\n\n')} `,
    });
    expect(first.body.meta.cache).toBe('none');
    expect(second.body.meta).toMatchObject({ cache: 'exact', costUsd: 0, model: 'gpt-cheap' });
    expect(second.body.analysis).toEqual(first.body.analysis);
    expect(openai.calls).toHaveLength(1);
  });

  it('collapses 50 identical concurrent requests into 1 provider call', async () => {
    openai.behave = () => ({ type: 'ok', delayMs: 200 });
    const { app } = setup();
    const job = generateJob(7);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => analyze(app, job, `user-${i}`)),
    );
    expect(openai.calls).toHaveLength(1);
    const kinds = results.map((r) => r.body.meta.cache).sort();
    expect(kinds.filter((k) => k === 'none')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'singleflight')).toHaveLength(49);
    expect(new Set(results.map((r) => JSON.stringify(r.body.analysis))).size).toBe(1);
  });

  it('reuses the analysis of a repost or light edit from the near-duplicate cache', async () => {
    const { app } = setup();
    for (let seed = 100; seed < 110; seed++) {
      const job = generateJob(seed);
      await analyze(app, job);
      const edited = lightlyEdit(job, seed);
      expect(edited.description).not.toBe(job.description);
      const { body } = await analyze(app, edited);
      expect(body.meta.cache).toBe('near');
      expect(body.meta.costUsd).toBe(0);
    }
    expect(openai.calls).toHaveLength(10);
  });

  it('never answers a distinct job from the near-duplicate cache', async () => {
    const { app } = setup();
    const distinct = buildWorkload(300, 7).filter((item) => item.kind === 'new');
    const seen = new Set<string>();
    for (const { job } of distinct) {
      if (seen.has(job.description)) continue;
      seen.add(job.description);
      const { body } = await analyze(app, job);
      expect(body.meta.cache).toBe('none');
    }
    expect(seen.size).toBeGreaterThan(150);
  });

  it('does not reuse an analysis when an edit changes the requirements', async () => {
    const { app } = setup();
    const job = generateJob(200);
    await analyze(app, job);
    const changed = {
      ...job,
      description: job.description.replace(
        /Strong experience with ([^<\n]+)/,
        'Strong experience with Rust and Elixir',
      ),
    };
    const { body } = await analyze(app, changed);
    expect(body.meta.cache).toBe('none');
    expect(body.analysis.mustHave).toContain('Rust');
  });

  it('coalesces analyze-job requests in the batching window into one provider call', async () => {
    const { app } = setup({ AI_BATCH_WINDOW_MS: '50', AI_BATCH_MAX: '8' });
    const jobs = [300, 301, 302, 303, 304].map(generateJob);
    const results = await Promise.all(jobs.map((job, i) => analyze(app, job, `u${i}`)));
    expect(openai.calls).toHaveLength(1);
    expect(results.every((r) => r.body.meta.cache === 'none' && r.body.meta.costUsd > 0)).toBe(
      true,
    );
    for (const [i, r] of results.entries())
      expect(r.body.analysis.mustHave).toEqual(analyzeLocal(jobs[i]));
  });

  it('stops spending at the user budget with at most one request of overspend, then answers 402', async () => {
    const cap = 0.01;
    const { app, services } = setup({ AI_BUDGET_USER_DAILY_USD: String(cap) });
    let maxCost = 0;
    let refused: Awaited<ReturnType<typeof analyze>> | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const result = await analyze(app, generateJob(1000 + i), 'spender');
      if (result.res.status === 402) refused = result;
      else maxCost = Math.max(maxCost, result.body.meta.costUsd);
    }
    expect(refused).toBeDefined();
    const spent = await services.budgets.spent('cell-1', 'spender');
    expect(spent.userUsd).toBeLessThanOrEqual(cap + maxCost);
    expect(spent.userUsd).toBeGreaterThan(cap - 2 * maxCost);
    const error = refused?.body.error;
    expect(error?.code).toBe('budget_exceeded');
    expect(error?.details).toMatchObject({ scope: 'user', limitUsd: cap });
    expect(Date.parse(String(error?.details.resetAt))).toBeGreaterThan(Date.now());
    expect(Number(refused?.res.headers.get('retry-after'))).toBeGreaterThan(0);
    // The ledger agrees with the budget.
    const ledger = (await (
      await app.request('/v1/ledger?cellId=cell-1&userId=spender', { headers: headers('spender') })
    ).json()) as { totalCostUsd: number };
    expect(ledger.totalCostUsd).toBeCloseTo(spent.userUsd, 6);
    // Another user of the same cell still has budget.
    expect((await analyze(app, generateJob(5000), 'someone-else')).res.status).toBe(200);
  });
});

function analyzeLocal(job: Parameters<typeof analyzeJob>[0] | undefined) {
  return job ? analyzeJob(job).mustHave : [];
}
