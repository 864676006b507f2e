/**
 * `POST /v1/profile/preview.pdf`: the editor's live preview renders a draft
 * through the real PDF service in each template, stores nothing, and refuses
 * what an import would refuse with the same pointers, never a 5xx.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfToText } from '../../shared-services/pdf/test-support/poppler.ts';
import { createTestCell, type TestCell } from '../../test/harness/cell.ts';
import { jsonOf } from '../../test/harness/http.ts';
import { type PdfService, startPdfService } from '../../test/harness/workflow.ts';

const SAMPLE = readFileSync(
  new URL('../../test/fixtures/jsonresume/sample.resume.json', import.meta.url),
  'utf8',
);

let pdf: PdfService;
let cell: TestCell;
beforeAll(async () => {
  pdf = await startPdfService(1);
  cell = await createTestCell({ config: { PDF_SERVICE_URL: pdf.url } });
}, 60_000);
afterAll(async () => {
  await cell.close();
  await pdf.close();
});

function preview(userId: string, body: string, query = '', type = 'application/json') {
  return cell.app.request(`/v1/profile/preview.pdf${query}`, {
    method: 'POST',
    headers: cell.signedHeaders(userId, { 'content-type': type }),
    body,
  });
}

describe('profile preview', () => {
  it.each(['classic', 'modern', 'compact'])(
    'renders a draft in the %s template whose text layer reads back, and stores no version',
    async (template) => {
      const userId = await cell.createUser();
      const draft = JSON.parse(SAMPLE) as { basics: { name: string; label: string } };
      draft.basics.label = `Draft label ${template}`;
      const res = await preview(userId, JSON.stringify(draft), `?template=${template}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(Number(res.headers.get('x-pdf-pages'))).toBeGreaterThanOrEqual(1);
      const text = await pdfToText(Buffer.from(await res.arrayBuffer()));
      expect(text).toContain(draft.basics.name);
      expect(text).toContain(`Draft label ${template}`);
      const versions = await jsonOf(
        await cell.app.request('/v1/profile/versions', { headers: cell.signedHeaders(userId) }),
      );
      expect(versions.versions).toEqual([]);
    },
    60_000,
  );

  it("uses the cell's default template without a query and counts what an import would tolerate", async () => {
    const draft = JSON.parse(SAMPLE) as { basics: { url?: string } };
    draft.basics.url = '';
    const res = await preview(await cell.createUser(), JSON.stringify(draft));
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-profile-warnings'))).toBeGreaterThanOrEqual(1);
  });

  it('refuses what an import refuses, at its pointer, in the one error format', async () => {
    const userId = await cell.createUser();
    const res = await preview(userId, JSON.stringify({ basics: { name: 42 } }));
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.problems.map((p: { pointer: string }) => p.pointer)).toContain(
      '/basics/name',
    );
  });

  it.each([
    ['an unknown template', SAMPLE, '?template=fancy', 'application/json', 400],
    ['an unknown query parameter', SAMPLE, '?version=2', 'application/json', 400],
    ['broken JSON', '{"basics": ', '', 'application/json', 400],
    ['not JSON', SAMPLE, '', 'text/plain', 415],
    ['an array', '[]', '', 'application/json', 400],
  ])('answers %s with a clear 4xx', async (_name, body, query, type, status) => {
    const res = await preview(await cell.createUser(), body, query, type);
    expect(res.status).toBe(status);
    const json = await jsonOf(res);
    expect(typeof json.error.code).toBe('string');
    expect(json.error.requestId).toBe(res.headers.get('x-request-id'));
  });
});

describe('profile preview without a PDF service', () => {
  it('answers 503 with Retry-After, not a 500', async () => {
    const down = await createTestCell({ config: { PDF_SERVICE_URL: 'http://127.0.0.1:9' } });
    try {
      const res = await down.app.request('/v1/profile/preview.pdf', {
        method: 'POST',
        headers: down.signedHeaders(await down.createUser(), {
          'content-type': 'application/json',
        }),
        body: SAMPLE,
      });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await jsonOf(res)).error.code).toBe('service_unavailable');
    } finally {
      await down.close();
    }
  });
});
