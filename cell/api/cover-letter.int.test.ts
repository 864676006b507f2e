/**
 * The cover-letter endpoints against real Postgres, Redis, workers and a real
 * PDF service: the workflow writes a verified letter when asked, the letter
 * comes back with its citations and verification, as PDF (read back with
 * pdftotext) and DOCX; it can be rewritten until the application is sent; bad
 * input is a 4xx in the one error format.
 */
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCourtesySentence, jobItems } from '../../lib/ai/job-items.ts';
import { profileItems } from '../../lib/ai/profile-items.ts';
import { normalizeText, pdfToText } from '../../shared-services/pdf/test-support/poppler.ts';
import type { Json } from '../../test/harness/http.ts';
import {
  createWorkflowCell,
  type PdfService,
  SAMPLE_RESUME_TEXT,
  startPdfService,
  type WorkflowCell,
} from '../../test/harness/workflow.ts';

let pdf: PdfService;
let cell: WorkflowCell;
beforeAll(async () => {
  pdf = await startPdfService(1);
  cell = await createWorkflowCell({ pdfUrl: pdf.url, config: { TAILOR_PROVIDER: 'embedded' } });
});
afterAll(async () => {
  await cell?.close();
  await pdf?.close();
});

const sentencesOf = (letter: Json) =>
  (letter.paragraphs as { sentences: { text: string; cites: string[] }[] }[]).flatMap(
    (p) => p.sentences,
  );

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as Json;
  expect(body.error).toMatchObject({ code, message: expect.any(String) });
}

describe('cover letters in the workflow', () => {
  it('writes a verified letter, shows its citations, renders it as PDF and DOCX', async () => {
    const { userId, jobId } = await cell.userWithJob();
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'review',
      channel: 'manual',
      coverLetter: true,
    });
    const app = await cell.waitForStatus(userId, created.applicationId, ['awaiting_approval']);
    const render = app.steps.find((s: { step: string }) => s.step === 'render');
    expect(render.detail.coverLetter).toMatchObject({ source: 'embedded', rejected: [] });

    const res = await cell.request(userId, 'GET', `/v1/applications/${app.id}/cover-letter`);
    expect(res.status).toBe(200);
    const letter = (await res.json()) as Json;
    expect(letter).toMatchObject({
      applicationId: app.id,
      source: 'embedded',
      salutation: 'Dear Hooli hiring team,',
      closing: 'Kind regards,',
      verification: { ok: true, fellBack: false, rejections: [] },
      pdf: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), pages: 1 },
    });
    expect(letter.paragraphs.length).toBeGreaterThanOrEqual(3);
    // Every sentence cites profile or job items that exist, or is a courtesy sentence.
    const profile = JSON.parse(SAMPLE_RESUME_TEXT);
    const known = new Set([
      ...profileItems(profile).map((i) => i.id),
      ...jobItems({
        title: 'Senior Software Engineer',
        company: 'Hooli',
        description:
          'You have 5+ years with JavaScript, Node.js and distributed systems.\nNice to have: Python.',
        location: 'Palo Alto',
      }).map((i) => i.id),
    ]);
    for (const sentence of sentencesOf(letter)) {
      if (sentence.cites.length === 0) expect(isCourtesySentence(sentence.text)).toBe(true);
      for (const id of sentence.cites) expect(known.has(id), id).toBe(true);
    }
    expect(sentencesOf(letter).some((s) => s.cites.some((id) => !id.startsWith('job:')))).toBe(
      true,
    );
    expect(letter.text.startsWith('Dear Hooli hiring team,\n\nI am applying for the')).toBe(true);

    const rendered = await cell.request(
      userId,
      'GET',
      `/v1/applications/${app.id}/cover-letter.pdf`,
    );
    expect(rendered.status).toBe(200);
    expect(rendered.headers.get('content-type')).toBe('application/pdf');
    expect(rendered.headers.get('etag')).toBe(`"sha256-${letter.pdf.sha256}"`);
    const text = normalizeText(await pdfToText(new Uint8Array(await rendered.arrayBuffer())));
    for (const sentence of sentencesOf(letter)) expect(text).toContain(sentence.text);
    expect(text).toContain('Dear Hooli hiring team,');

    const docx = await cell.request(userId, 'GET', `/v1/applications/${app.id}/cover-letter.docx`);
    expect(docx.status).toBe(200);
    const { value } = await mammoth.extractRawText({
      buffer: Buffer.from(await docx.arrayBuffer()),
    });
    for (const sentence of sentencesOf(letter))
      expect(normalizeText(value)).toContain(sentence.text);

    // Approved and sent: the letter is what was sent and can no longer be rewritten.
    await cell.request(userId, 'POST', `/v1/applications/${app.id}/approve`);
    await cell.waitForStatus(userId, app.id, ['submitted']);
    await expectError(
      await cell.request(userId, 'POST', `/v1/applications/${app.id}/cover-letter`),
      409,
      'invalid_state',
    );
  });

  it('writes a letter on demand for an application that did not ask for one', async () => {
    const { userId, jobId } = await cell.userWithJob();
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'review',
      channel: 'manual',
    });
    const id = created.applicationId as string;
    await cell.waitForStatus(userId, id, ['awaiting_approval']);
    await expectError(
      await cell.request(userId, 'GET', `/v1/applications/${id}/cover-letter`),
      404,
      'not_found',
    );
    await expectError(
      await cell.request(userId, 'GET', `/v1/applications/${id}/cover-letter.pdf`),
      404,
      'not_found',
    );
    const written = await cell.request(userId, 'POST', `/v1/applications/${id}/cover-letter`, {});
    expect(written.status).toBe(200);
    const letter = (await written.json()) as Json;
    expect(letter.verification.ok).toBe(true);
    expect(letter.pdf).not.toBeNull();
    const again = await cell.json(userId, 'POST', `/v1/applications/${id}/cover-letter`);
    // Deterministic embedded writer: the same letter again.
    expect(again.text).toBe(letter.text);
    const [row] = await cell.db.sql<{ cover_letter: boolean }[]>`
      select cover_letter from applications where id = ${id}`;
    expect(row?.cover_letter).toBe(true);
    // Another user sees nothing of it.
    const stranger = await cell.createUser();
    await expectError(
      await cell.request(stranger, 'GET', `/v1/applications/${id}/cover-letter`),
      404,
      'not_found',
    );
    await expectError(
      await cell.request(stranger, 'POST', `/v1/applications/${id}/cover-letter`, {}),
      404,
      'not_found',
    );
  });

  it('answers bad input with a 4xx in the one error format', async () => {
    const userId = await cell.createUser();
    const id = '0190a000-0000-7000-8000-00000000abcd';
    await expectError(
      await cell.request(userId, 'POST', `/v1/applications/${id}/cover-letter`, { tone: 'bold' }),
      400,
      'validation_failed',
    );
    await expectError(
      await cell.request(userId, 'POST', `/v1/applications/${id}/cover-letter`, '{"x":'),
      400,
      'invalid_json',
    );
    await expectError(
      await cell.request(userId, 'POST', `/v1/applications/${id}/cover-letter`, {}),
      404,
      'not_found',
    );
    const bad = await cell.request(userId, 'GET', '/v1/applications/not-a-uuid/cover-letter');
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    await expectError(
      await cell.request(userId, 'POST', '/v1/applications', {
        jobId: id,
        coverLetter: 'yes',
      }),
      400,
      'validation_failed',
    );
  });
});
