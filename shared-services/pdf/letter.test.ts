/**
 * Cover letters through the PDF service: the text layer reads back exactly
 * what was drawn (pdftotext), in every template, for accented and non-Latin
 * text; DOCX and plain text carry the same lines in the same order; the HTTP
 * route validates its body and names the file.
 */
import mammoth from 'mammoth';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { createApp } from './app.ts';
import { pdfConfigSchema } from './config.ts';
import { renderDocument } from './render/render-document.ts';
import type { Letter, TemplateId } from './render/resume-schema.ts';
import { createPdfServices } from './services.ts';
import { normalizeText, pdfInfo, pdfToText } from './test-support/poppler.ts';

const TEMPLATES: TemplateId[] = ['classic', 'modern', 'compact'];

function letterOf(name: string, company: string): Letter {
  return {
    name,
    contact: ['ada@example.com', '+351 912 345 678'],
    recipient: `${company} — Platform Engineer`,
    salutation: `Dear ${company} hiring team,`,
    paragraphs: [
      `I am applying for the Platform Engineer position at ${company}. The role asks for Kubernetes, Go and PostgreSQL.`,
      'As a Senior Backend Engineer, I have worked with Kubernetes, Go and PostgreSQL. In my role as Senior Backend Engineer at Acme Pay: Cut p99 latency of the ledger API by 40% by moving hot reads to Redis.',
      'I would like to bring my experience with Kubernetes and Go to this role. Thank you for your time and consideration.',
    ],
    closing: 'Kind regards,',
    signature: name,
  };
}

/** Every line of the letter, in reading order, as one normalised string. */
function expected(letter: Letter): string {
  return normalizeText(
    [
      letter.name,
      (letter.contact ?? []).join('  ·  '),
      letter.recipient,
      letter.salutation,
      ...letter.paragraphs,
      letter.closing,
      letter.signature,
    ].join(' '),
  ).trim();
}

const CASES: [string, string][] = [
  ['Ada Park', 'Initech'],
  ['Zofia Wąsowska-Żółć', 'Société Générale'],
  ['Nguyễn Văn Dũng', 'Ørsted'],
  ['Jürgen Groß', 'Þórunn & Co'],
];

describe('cover letters as PDF', () => {
  it('read back exactly, in every template', async () => {
    for (const template of TEMPLATES) {
      for (const [name, company] of CASES) {
        const letter = letterOf(name, company);
        const result = await renderDocument({ letter, template });
        expect(result.format).toBe('pdf');
        expect(result.uncovered).toEqual([]);
        const text = normalizeText(await pdfToText(result.bytes)).trim();
        expect(text, `${template} ${name}`).toBe(expected(letter));
      }
    }
  });

  it('is deterministic and titled as a cover letter', async () => {
    const letter = letterOf('Ada Park', 'Initech');
    const [a, b] = await Promise.all([
      renderDocument({ letter, template: 'modern' }),
      renderDocument({ letter, template: 'modern' }),
    ]);
    expect(a.sha256).toBe(b.sha256);
    const info = await pdfInfo(a.bytes);
    expect(info.Title).toBe('Ada Park — Cover letter');
    expect(a.pages).toBe(1);
  });

  it('breaks a long letter between paragraphs onto more pages, losing nothing', async () => {
    const letter = letterOf('Ada Park', 'Initech');
    letter.paragraphs = Array.from(
      { length: 10 },
      (_, i) =>
        `Paragraph ${i + 1}. ${'Built the reporting schema for enterprise customers. '.repeat(12).trim()}`,
    );
    const result = await renderDocument({ letter, template: 'classic' });
    expect(result.pages).toBeGreaterThan(1);
    const text = normalizeText(await pdfToText(result.bytes)).replace(/Page \d of \d/g, ' ');
    for (const paragraph of letter.paragraphs) expect(normalizeText(text)).toContain(paragraph);
  });
});

describe('cover letters as DOCX and text', () => {
  it('carry the same lines in the same order', async () => {
    const letter = letterOf('Zofia Wąsowska-Żółć', 'Société Générale');
    const docx = await renderDocument({ letter, template: 'modern', format: 'docx' });
    const { value } = await mammoth.extractRawText({ buffer: Buffer.from(docx.bytes) });
    expect(normalizeText(value).trim()).toBe(expected(letter));
    const txt = await renderDocument({ letter, template: 'modern', format: 'txt' });
    const plain = new TextDecoder().decode(txt.bytes);
    expect(normalizeText(plain).trim()).toBe(expected(letter));
    expect(plain).not.toMatch(/^\n/);
  });
});

describe('POST /v1/render-letter', () => {
  const services = createPdfServices(
    parseConfig(pdfConfigSchema, { PDF_THREADS: '1' }),
    createLogger({ service: 'pdf-test', level: 'silent' }),
  );
  const app = createApp(services);
  afterAll(() => services.close());
  const post = (body: unknown) =>
    app.request('/v1/render-letter', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers a PDF with its text-layer stamp and file name', async () => {
    const res = await post({ letter: letterOf('Ada Park', 'Initech'), template: 'compact' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('x-pdf-text-layer')).toBe('2');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="cover-letter.pdf"');
    const text = normalizeText(await pdfToText(new Uint8Array(await res.arrayBuffer()))).trim();
    expect(text).toBe(expected(letterOf('Ada Park', 'Initech')));
  });

  it('refuses a letter without paragraphs or with control characters (400)', async () => {
    const empty = await post({
      letter: { ...letterOf('A', 'B'), paragraphs: [] },
      template: 'modern',
    });
    expect(empty.status).toBe(400);
    const control = await post({
      letter: { ...letterOf('A', 'B'), paragraphs: ['bad \u0007 bell'] },
      template: 'modern',
    });
    expect(control.status).toBe(400);
  });
});
