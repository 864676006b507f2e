/**
 * Job analysis through the AI optimizer's HTTP API (a local fake speaking
 * `POST /v1/tasks/analyze-job`), and the embedded fallback when it errors.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CACHED_ANALYSIS_QUERY,
  CachedJobAnalyzer,
  normalize,
} from '../../cell/domain/analysis/job-analyzers.ts';
import { analyzeJob } from '../../lib/ai/embedded/index.ts';
import { parseConfig } from '../../lib/config.ts';
import { listen, type RunningServer } from '../../lib/http-server.ts';
import { createLogger } from '../../lib/logger.ts';
import { createApp } from '../../shared-services/ai-optimizer/app.ts';
import { aiOptimizerConfigSchema } from '../../shared-services/ai-optimizer/config.ts';
import { buildServices } from '../../shared-services/ai-optimizer/services.ts';
import { createTestCell, type TestCell } from '../harness/cell.ts';
import { testRedisUrl, uniquePrefix } from '../harness/databases.ts';

describe('analysis through the AI optimizer', () => {
  const seen: { headers: IncomingHttpHeaders; body: { job?: Record<string, unknown> } }[] = [];
  let failing = false;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      seen.push({ headers: req.headers, body: JSON.parse(raw) });
      if (failing || req.url !== '/v1/tasks/analyze-job') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          analysis: {
            title: 'Platform Engineer',
            seniority: 'senior',
            mustHave: ['Go'],
            niceToHave: ['Rust'],
            keywords: ['Go', 'Rust'],
            yearsMin: 4,
            location: 'Berlin',
            remote: 'onsite',
          },
          meta: { provider: 'fake', cached: false },
        }),
      );
    });
  });
  let cell: TestCell;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    cell = await createTestCell({ cellId: 'cell-ai', aiOptimizerUrl: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await cell.close();
    await new Promise((resolve) => server.close(resolve));
  });

  async function manualJob(userId: string, title = 'Platform Engineer'): Promise<string> {
    const res = await cell.app.request('/v1/jobs', {
      method: 'POST',
      headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
      body: JSON.stringify({
        title,
        company: 'Acme',
        description: 'Go services. Rust is a plus.',
        location: 'Berlin',
      }),
    });
    return ((await res.json()) as { id: string }).id;
  }

  it('sends the job with the cell and user ids and stores the answer', async () => {
    const userId = await cell.createUser();
    const jobId = await manualJob(userId);
    const outcome = await cell.services.analysis.analyzeJob(jobId);
    expect(outcome).toMatchObject({ status: 'analyzed', source: 'optimizer' });
    const call = seen.at(-1);
    expect(call?.headers['x-cell-id']).toBe('cell-ai');
    expect(call?.headers['x-user-id']).toBe(userId);
    expect(call?.body.job).toEqual({
      title: 'Platform Engineer',
      company: 'Acme',
      description: 'Go services. Rust is a plus.',
      location: 'Berlin',
    });
    const [job] = await cell.db.sql`select analysis, analysis_source from jobs where id = ${jobId}`;
    expect(job).toMatchObject({
      analysis_source: 'optimizer',
      analysis: { mustHave: ['Go'], yearsMin: 4 },
    });
  });

  it('falls back to the embedded analyzer when the optimizer errors', async () => {
    failing = true;
    try {
      const userId = await cell.createUser();
      const jobId = await manualJob(userId, 'Infrastructure Engineer');
      const outcome = await cell.services.analysis.analyzeJob(jobId);
      expect(outcome).toMatchObject({ status: 'analyzed', source: 'embedded' });
      expect(outcome.analysis).toEqual(
        analyzeJob({
          title: 'Infrastructure Engineer',
          company: 'Acme',
          description: 'Go services. Rust is a plus.',
          location: 'Berlin',
        }),
      );
    } finally {
      failing = false;
    }
  });

  it('uses the optimizer analysis of a near-identical job before the embedded one', async () => {
    const userId = await cell.createUser();
    await cell.services.analysis.analyzeJob(await manualJob(userId));
    failing = true;
    try {
      const jobId = await manualJob(userId, '  platform   ENGINEER ');
      const outcome = await cell.services.analysis.analyzeJob(jobId);
      expect(outcome).toMatchObject({ status: 'analyzed', source: 'cached' });
      expect(outcome.analysis?.yearsMin).toBe(4); // the optimizer's answer, not the embedded one
    } finally {
      failing = false;
    }
  });

  it('finds the near-identical job through its index, not by reading every job', async () => {
    const { sql } = cell.db;
    const userId = await cell.createUser();
    // Enough analyzed jobs that reading every one costs the planner more than the index.
    await sql`
      insert into jobs (id, fingerprint, owner_user_id, title, company, description, content_hash,
                        analysis, analysis_source, analyzed_at)
      select gen_random_uuid(), 'bulk-' || n, ${userId}, 'Engineer ' || n, 'Company ' || n, 'x',
             'h' || n, '{}'::jsonb, 'optimizer', now()
      from generate_series(1, 5000) n`;
    await sql`analyze jobs`;
    const plan = await sql.unsafe<{ 'QUERY PLAN': string }[]>(`explain ${CACHED_ANALYSIS_QUERY}`, [
      normalize(' Engineer  42 '),
      normalize('company 42'),
    ]);
    expect(plan.map((line) => line['QUERY PLAN']).join('\n')).toContain(
      'Index Scan using jobs_optimizer_analysis_names_idx on jobs',
    );
    // And the analyzer finds the job by it, spacing and case ignored.
    const analysis = analyzeJob({ title: 'Engineer 42', company: 'Company 42', description: 'x' });
    await sql`update jobs set analysis = ${sql.json(analysis)} where fingerprint = 'bulk-42'`;
    const found = await new CachedJobAnalyzer(sql).analyze({
      title: ' engineer   42',
      company: 'COMPANY 42 ',
      description: 'x',
      location: null,
    });
    expect(found).toEqual({ analysis, source: 'cached' });
  });
});

describe('analysis through the real AI optimizer', () => {
  let optimizer: { services: { close(): Promise<void> }; server: RunningServer };
  let cell: TestCell;
  beforeAll(async () => {
    const config = parseConfig(aiOptimizerConfigSchema, {
      REDIS_URL: testRedisUrl(),
      AI_KEY_PREFIX: `${uniquePrefix('ai')}:`,
      LOG_LEVEL: 'silent',
    });
    const services = buildServices(config, {
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    optimizer = { services, server: await listen(createApp(services), { port: 0 }) };
    cell = await createTestCell({ cellId: 'cell-real-ai', aiOptimizerUrl: optimizer.server.url });
  });
  afterAll(async () => {
    await cell?.close();
    await optimizer?.server.close();
    await optimizer?.services.close();
  });

  it("analyzes a board job, which no user owns, as the cell's own work", async () => {
    const [job] = await cell.db.sql<{ id: string }[]>`
      insert into jobs (id, fingerprint, title, company, description, content_hash)
      values (gen_random_uuid(), 'board-fp-1', 'Platform Engineer', 'Acme',
              'Go services on Kubernetes. Rust is a plus.', 'board-hash-1')
      returning id`;
    const outcome = await cell.services.analysis.analyzeJob(job?.id as string);
    expect(outcome).toMatchObject({ status: 'analyzed', source: 'optimizer' });
  });

  it("analyzes a user's manual job for that user", async () => {
    const userId = await cell.createUser();
    const res = await cell.app.request('/v1/jobs', {
      method: 'POST',
      headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
      body: JSON.stringify({ title: 'SRE', company: 'Acme', description: 'Go and Linux.' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await cell.services.analysis.analyzeJob(id)).toMatchObject({ source: 'optimizer' });
  });
});
