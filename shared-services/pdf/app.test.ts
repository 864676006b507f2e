/**
 * The HTTP service through `app.request(...)`, with the real worker-thread
 * pool behind it (small pools, so the bounds are easy to reach).
 */
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { createMetrics } from '../../lib/metrics.ts';
import { createApp } from './app.ts';
import { pdfConfigSchema } from './config.ts';
import type { RenderPool } from './pool.ts';
import { renderResume } from './render/render-resume.ts';
import { TextLayerError } from './render/text-layer.ts';
import { RenderService } from './render-service.ts';
import { createPdfServices, type PdfServices } from './services.ts';
import { loadResume } from './test-support/fixtures.ts';
import { normalizeText, pdfToText } from './test-support/poppler.ts';

const opened: PdfServices[] = [];
function makeApp(env: Record<string, string> = {}) {
  const config = parseConfig(pdfConfigSchema, { PDF_THREADS: '1', ...env });
  const services = createPdfServices(
    config,
    createLogger({ service: 'pdf-test', level: 'silent' }),
  );
  opened.push(services);
  return createApp(services);
}
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

const app = makeApp();

function post(body: unknown, target = app, headers: Record<string, string> = {}) {
  return target.request('/v1/render', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface ErrorJson {
  error: {
    code: string;
    message: string;
    requestId: string;
    details?: { problems?: { pointer: string; message: string }[] };
  };
}

describe('POST /v1/render: happy path', () => {
  it('returns the PDF with its content hash as ETag, identical to an in-process render', async () => {
    const resume = loadResume('sample');
    const response = await post({ resume, template: 'classic', emphasize: ['Javascript'] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = new Uint8Array(await response.arrayBuffer());
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    expect(response.headers.get('x-content-sha256')).toBe(sha256);
    expect(response.headers.get('etag')).toBe(`"sha256-${sha256}"`);
    expect(response.headers.get('x-pdf-pages')).toBe('2');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(response.headers.get('x-pdf-uncovered-chars')).toBeNull();
    const local = await renderResume({ resume, template: 'classic', emphasize: ['Javascript'] });
    expect(local.sha256).toBe(sha256);
    expect(normalizeText(await pdfToText(pdf))).toContain('Richard Hendriks');
  });

  it('answers 304 when If-None-Match carries the current ETag', async () => {
    const body = { resume: loadResume('one-page'), template: 'modern' };
    const first = await post(body);
    const etag = first.headers.get('etag') ?? '';
    const second = await post(body, app, { 'if-none-match': etag });
    expect(second.status).toBe(304);
    expect(second.headers.get('etag')).toBe(etag);
  });

  it('reports code points no embedded font covers in a response header', async () => {
    const response = await post({
      resume: { basics: { name: 'Ana \ue000 Silva', label: 'Data \uf8ff Engineer 東京' } },
      template: 'compact',
      pageSize: 'a4',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-pdf-uncovered-chars')).toBe('U+E000,U+F8FF');
    expect(response.headers.get('x-pdf-uncovered-count')).toBe('2');
    expect(response.headers.get('x-pdf-uncovered-fields')).toBe(
      '/resume/basics/name,/resume/basics/label',
    );
  });

  it('sends no missing-glyph warning when every character has a font', async () => {
    const response = await post({
      resume: { basics: { name: 'Zoë 王小明 محمد', label: 'नमस्ते ไทย Ωμέγα' } },
      template: 'classic',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-pdf-uncovered-count')).toBeNull();
    expect(response.headers.get('x-pdf-uncovered-chars')).toBeNull();
    expect(response.headers.get('x-pdf-uncovered-fields')).toBeNull();
  });
});

describe('GET /v1/templates', () => {
  it('lists the three templates with descriptions', async () => {
    const response = await app.request('/v1/templates');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { templates: { id: string; description: string }[] };
    expect(body.templates.map((t) => t.id)).toEqual(['classic', 'modern', 'compact']);
    for (const template of body.templates) expect(template.description.length).toBeGreaterThan(10);
  });
});

describe('POST /v1/render: bad input', () => {
  async function expectProblem(body: unknown, pointer: string, message: RegExp) {
    const response = await post(body);
    expect(response.status).toBe(400);
    const json = (await response.json()) as ErrorJson;
    expect(json.error.code).toBe('validation_failed');
    expect(json.error.requestId).toBeTruthy();
    const problem = json.error.details?.problems?.find((p) => p.pointer === pointer);
    expect(problem, JSON.stringify(json.error.details)).toBeDefined();
    expect(problem?.message).toMatch(message);
  }

  it('refuses a string of 100,000 characters in one field', async () => {
    await expectProblem(
      { resume: { basics: { name: 'A', summary: 'x'.repeat(100_000) } }, template: 'classic' },
      '/resume/basics/summary',
      /longer than 10000 characters/,
    );
  });

  it('refuses deeply nested unknown fields', async () => {
    let nested: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 50; i += 1) nested = { deeper: nested };
    const response = await post({
      resume: { basics: { name: 'A' }, extra: nested },
      template: 'classic',
    });
    expect(response.status).toBe(400);
    const json = (await response.json()) as ErrorJson;
    expect(json.error.code).toBe('validation_failed');
    expect(JSON.stringify(json.error.details)).toContain('nested deeper than 20 levels');
  });

  it('refuses lone surrogates and control characters, naming the field', async () => {
    await expectProblem(
      { resume: { basics: { name: 'Ana \ud800 Silva' } }, template: 'classic' },
      '/resume/basics/name',
      /lone surrogate U\+D800/,
    );
    await expectProblem(
      { resume: { work: [{ name: 'Acme\u0007' }] }, template: 'classic' },
      '/resume/work/0/name',
      /control character U\+0007/,
    );
  });

  it('refuses something that is not a resume', async () => {
    await expectProblem({ resume: ['a'], template: 'modern' }, '/resume', /not a JSON Resume/);
    await expectProblem({ resume: 'text', template: 'modern' }, '/resume', /not a JSON Resume/);
    await expectProblem(
      { resume: { hello: 'world' }, template: 'modern' },
      '/resume',
      /at least one of basics/,
    );
    await expectProblem({ template: 'modern' }, '/resume', /not a JSON Resume/);
  });

  it('refuses an unknown template or page size', async () => {
    await expectProblem(
      { resume: loadResume('sparse'), template: 'fancy' },
      '/template',
      /classic/,
    );
    await expectProblem(
      { resume: loadResume('sparse'), template: 'modern', pageSize: 'legal' },
      '/pageSize',
      /letter/,
    );
  });

  it('names a field of the wrong type by its JSON pointer', async () => {
    await expectProblem(
      { resume: { work: [{ name: 'A', startDate: 2019 }] }, template: 'modern' },
      '/resume/work/0/startDate',
      /expected string/,
    );
    await expectProblem(
      { resume: { skills: { name: 'x' } }, template: 'modern' },
      '/resume/skills',
      /array/,
    );
    await expectProblem(
      { resume: { basics: {} }, template: 'modern', emphasize: 'Go' },
      '/emphasize',
      /array/,
    );
  });

  it('refuses a body that is not JSON', async () => {
    const response = await post('{"resume":');
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorJson).error.code).toBe('invalid_json');
    const wrongType = await app.request('/v1/render', {
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);
  });

  it('refuses a body over the size limit with 413', async () => {
    const small = makeApp({ PDF_MAX_BODY_BYTES: '2048' });
    const resume = { basics: { name: 'Big', summary: 'x'.repeat(4096) } };
    const response = await post({ resume, template: 'modern' }, small);
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorJson).error.code).toBe('payload_too_large');
  });

  it('answers unknown routes in the one error format', async () => {
    const response = await app.request('/v1/nothing');
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorJson).error.code).toBe('not_found');
  });
});

describe('POST /v1/render: bounds', () => {
  it('answers 429 overloaded with Retry-After once the queue is full', async () => {
    const bounded = makeApp({ PDF_THREADS: '1', PDF_MAX_QUEUE: '1' });
    const body = { resume: loadResume('three-page'), template: 'classic' };
    const responses = await Promise.all(Array.from({ length: 12 }, () => post(body, bounded)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const response of refused) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await response.json()) as ErrorJson).error.code).toBe('overloaded');
    }
  });

  it('answers 504 timeout when a render outlives its deadline', async () => {
    const slow = makeApp({ PDF_RENDER_TIMEOUT_MS: '1' });
    const response = await post({ resume: loadResume('three-page'), template: 'modern' }, slow);
    expect(response.status).toBe(504);
    expect(((await response.json()) as ErrorJson).error.code).toBe('timeout');
  });
});

describe('operations endpoints', () => {
  it('reports live and ready with the pool state', async () => {
    expect((await app.request('/health/live')).status).toBe(200);
    const ready = await app.request('/health/ready');
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: { renderPool: { threads: number } } };
    expect(body.checks.renderPool.threads).toBe(1);
  });

  it('exposes render metrics', async () => {
    await post({ resume: loadResume('one-page'), template: 'modern' });
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(/pdf_renders_total\{[^}]*template="modern"[^}]*outcome="ok"[^}]*\} \d+/);
    expect(text).toContain('pdf_render_duration_seconds_bucket');
  });
});

describe('POST /v1/render: text-layer self-check', () => {
  it('answers a loud 500 naming the refused document, logs it and counts it, never a silent PDF', async () => {
    // A pool whose render produced a document that failed the check in the worker.
    const refusing: RenderPool = {
      render: async () => {
        throw new TextLayerError('f00d', [{ font: 'bold', expected: 'Jürgen', extracted: 'üren' }]);
      },
      stats: () => ({ threads: 1, running: 0, queued: 0, capacity: 1 }),
      close: async () => {},
    };
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
    const metrics = createMetrics({ service: 'pdf' });
    const services: PdfServices = {
      config: parseConfig(pdfConfigSchema, {}),
      logger,
      metrics,
      pool: refusing,
      renderer: new RenderService(refusing, metrics, logger),
      close: async () => {},
    };
    const target = createApp(services);
    const response = await post({ resume: loadResume('sparse'), template: 'classic' }, target);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as ErrorJson & {
      error: { details: { documentSha256: string } };
    };
    expect(body.error.code).toBe('internal_error');
    expect(body.error.details.documentSha256).toBe('f00d');
    expect(lines.some((line) => line.includes('"documentSha256":"f00d"'))).toBe(true);
    const exposition = await (await target.request('/metrics')).text();
    expect(exposition).toMatch(/pdf_text_layer_mismatches_total\{[^}]*template="classic"[^}]*\} 1/);
  });
});
