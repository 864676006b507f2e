/**
 * DOCX and plain text beside PDF: the text `mammoth` extracts from the DOCX,
 * and the plain text, carry the same facts in the same order as what
 * `pdftotext` extracts from the PDF; DOCX bytes are deterministic; the HTTP
 * contract (`format`, content types, file names, ETag) holds.
 */
import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import mammoth from 'mammoth';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { createApp } from './app.ts';
import { pdfConfigSchema } from './config.ts';
import { renderDocument } from './render/render-document.ts';
import type { Resume, TemplateId } from './render/resume-schema.ts';
import { createPdfServices } from './services.ts';
import { dateRange, expectInReadingOrder } from './test-support/facts.ts';
import {
  FIXTURES,
  type FixtureName,
  loadResume,
  SCRIPT_FIXTURES,
} from './test-support/fixtures.ts';
import { pdfToText } from './test-support/poppler.ts';

const TEMPLATES: TemplateId[] = ['classic', 'modern', 'compact'];
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * The facts a reader meets, in order: name, label, email, phone; each job's
 * position, employer, dates and highlights; institutions; skills and keywords.
 */
function orderedFacts(resume: Resume): string[] {
  const facts: (string | null | undefined)[] = [
    resume.basics?.name,
    resume.basics?.label,
    resume.basics?.email,
    resume.basics?.phone,
  ];
  for (const job of resume.work ?? []) {
    facts.push(
      job.position,
      job.name ?? job.company,
      dateRange(job.startDate, job.endDate),
      ...(job.highlights ?? []),
    );
  }
  for (const school of resume.education ?? []) facts.push(school.institution);
  for (const skill of resume.skills ?? []) facts.push(skill.name, ...(skill.keywords ?? []));
  return facts.filter((f): f is string => typeof f === 'string' && f.trim() !== '');
}

/**
 * The PDF's text in page order. `-layout` keeps a right-to-left resume's
 * left-aligned lines (headings, dates) where they are, rather than as a
 * column of their own; the bidi controls pdftotext puts around runs go.
 */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const text = await pdfToText(bytes, { layout: true });
  return text.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}

async function docxText(bytes: Uint8Array): Promise<string> {
  const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
  return value;
}

function docxPart(bytes: Uint8Array, path: string): string {
  const part = unzipSync(bytes)[path];
  if (!part) throw new Error(`no ${path} in the DOCX`);
  return strFromU8(part);
}

const ALL: FixtureName[] = [...FIXTURES, ...SCRIPT_FIXTURES];

describe('DOCX and plain text carry the PDF facts in the PDF order', () => {
  for (const fixture of ALL) {
    it(`PDF, DOCX and text give the same facts in the same order: ${fixture}`, async () => {
      const resume = loadResume(fixture);
      const facts = orderedFacts(resume);
      expect(facts.length).toBeGreaterThan(4);
      for (const template of TEMPLATES) {
        const [pdf, docx, txt] = await Promise.all(
          (['pdf', 'docx', 'txt'] as const).map((format) =>
            renderDocument({ resume, template, format }),
          ),
        );
        if (!pdf || !docx || !txt) throw new Error('a format did not render');
        expect(pdf.uncovered).toEqual([]);
        expectInReadingOrder(await pdfText(pdf.bytes), facts);
        expectInReadingOrder(await docxText(docx.bytes), facts);
        expectInReadingOrder(new TextDecoder().decode(txt.bytes), facts);
      }
    });
  }

  it('writes plain text as name, label, contact line, then headed sections with "- " bullets', async () => {
    const { bytes } = await renderDocument({
      resume: loadResume('one-page'),
      template: 'modern',
      format: 'txt',
    });
    const text = new TextDecoder().decode(bytes);
    const lines = text.split('\n');
    const resume = loadResume('one-page');
    expect(lines[0]).toBe(resume.basics?.name);
    expect(lines[1]).toBe(resume.basics?.label);
    expect(lines[2]).toContain(resume.basics?.email ?? '?');
    expect(lines[3]).toBe('');
    const headings = lines.filter((line) => /^[A-Z ]+$/.test(line) && line.length > 3);
    expect(headings.slice(0, 3)).toEqual(['SUMMARY', 'EXPERIENCE', 'EDUCATION']);
    const highlight = resume.work?.[0]?.highlights?.[0] ?? '?';
    expect(lines).toContain(`- ${highlight}`);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toMatch(/\t|\u2022/);
  });

  it('keeps characters no PDF font has in DOCX and text, where the reader picks the fonts', async () => {
    const resume = { basics: { name: 'Ana \ue000 Silva 🚀' }, work: [{ name: 'Acme' }] };
    const docx = await renderDocument({ resume, template: 'modern', format: 'docx' });
    const txt = await renderDocument({ resume, template: 'modern', format: 'txt' });
    expect(docx.uncovered).toEqual([]);
    expect(await docxText(docx.bytes)).toContain('Ana \ue000 Silva 🚀');
    expect(new TextDecoder().decode(txt.bytes)).toContain('Ana \ue000 Silva 🚀');
  });
});

describe('DOCX looks like its template', () => {
  it('names the template font on runs, the Noto families for CJK and Arabic, and marks RTL paragraphs bidi', async () => {
    const arabic = await renderDocument({
      resume: loadResume('arabic'),
      template: 'classic',
      format: 'docx',
    });
    const xml = docxPart(arabic.bytes, 'word/document.xml');
    const styles = docxPart(arabic.bytes, 'word/styles.xml');
    expect(styles).toContain('w:ascii="DejaVu Serif"');
    // The name paragraph: right to left, its run marked rtl with the Arabic font.
    const name = /<w:p>(?:(?!<\/w:p>).)*ليلى حسن(?:(?!<\/w:p>).)*<\/w:p>/s.exec(xml)?.[0] ?? '';
    expect(name).toContain('<w:bidi/>');
    expect(name).toContain('<w:rtl/>');
    expect(name).toContain('w:cs="Noto Sans Arabic"');
    // A Latin-only paragraph (the contact line starts with the e-mail) is not bidi.
    const contact = /<w:p>(?:(?!<\/w:p>).)*layla@example\.com(?:(?!<\/w:p>).)*<\/w:p>/s.exec(xml);
    expect(contact?.[0]).not.toContain('<w:bidi/>');

    const cjk = await renderDocument({
      resume: loadResume('cjk'),
      template: 'compact',
      format: 'docx',
    });
    const cjkXml = docxPart(cjk.bytes, 'word/document.xml');
    expect(cjkXml).toContain('w:eastAsia="Noto Sans CJK SC"');
    expect(cjkXml).toContain('w:eastAsia="Noto Sans CJK JP"');
    expect(cjkXml).toContain('w:eastAsia="Noto Sans CJK KR"');
    expect(docxPart(cjk.bytes, 'word/styles.xml')).toContain('w:ascii="DejaVu Sans Condensed"');
  });

  it('uses the template sizes, colours, page size and margins', async () => {
    const { bytes } = await renderDocument({
      resume: loadResume('sample'),
      template: 'modern',
      format: 'docx',
      pageSize: 'a4',
    });
    const xml = docxPart(bytes, 'word/document.xml');
    expect(xml).toContain('<w:pgSz w:w="11906" w:h="16838"');
    expect(xml).toMatch(/<w:pgMar w:top="1000" w:right="1000" w:bottom="1000" w:left="1000"/);
    expect(xml).toContain('<w:sz w:val="48"/>'); // the name, 24 pt
    expect(xml).toContain('w:val="1F5FA8"'); // modern's accent, on headings
    expect(xml).toMatch(/<w:hyperlink [^>]*r:id="rIdLink1"/);
  });
});

describe('DOCX bytes are deterministic', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the same bytes for the same input, whatever the clock says', async () => {
    const input = {
      resume: loadResume('sample'),
      template: 'classic',
      format: 'docx',
    } as const;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2024-03-05T10:11:12Z'));
    const first = await renderDocument(input);
    vi.setSystemTime(new Date('2031-11-22T23:59:58Z'));
    const second = await renderDocument(input);
    vi.useRealTimers();
    expect(second.sha256).toBe(first.sha256);
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    const core = docxPart(first.bytes, 'docProps/core.xml');
    expect(core).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z');
    expect(core).toContain('<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z');
    expect(core).toContain('<dc:creator>Richard Hendriks</dc:creator>');
  });
});

describe('POST /v1/render with format', () => {
  const services = createPdfServices(
    parseConfig(pdfConfigSchema, { PDF_THREADS: '1' }),
    createLogger({ service: 'pdf-test', level: 'silent' }),
  );
  const app = createApp(services);
  afterAll(() => services.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.request('/v1/render', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('answers DOCX from the worker pool with its hash as ETag, the bytes of an in-process render', async () => {
    const body = { resume: loadResume('sample'), template: 'modern', format: 'docx' } as const;
    const response = await post(body);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(DOCX_TYPE);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="resume.docx"');
    const bytes = new Uint8Array(await response.arrayBuffer());
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(response.headers.get('x-content-sha256')).toBe(sha256);
    expect(response.headers.get('etag')).toBe(`"sha256-${sha256}"`);
    expect(response.headers.get('x-pdf-pages')).toBeNull();
    expect((await renderDocument(body)).sha256).toBe(sha256);
    const again = await post(body, { 'if-none-match': `"sha256-${sha256}"` });
    expect(again.status).toBe(304);
  });

  it('answers plain text as UTF-8 with a resume.txt file name', async () => {
    const response = await post({ resume: loadResume('cjk'), template: 'classic', format: 'txt' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="resume.txt"');
    const text = await response.text();
    expect(text.startsWith('李华\n高级软件工程师\n')).toBe(true);
    expect(response.headers.get('x-content-sha256')).toBe(
      createHash('sha256').update(text).digest('hex'),
    );
  });

  it('still answers PDF by default', async () => {
    const response = await post({ resume: loadResume('sparse'), template: 'compact' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('inline; filename="resume.pdf"');
  });

  it('refuses an unknown format with 400 and the pointer /format', async () => {
    const response = await post({
      resume: loadResume('sparse'),
      template: 'modern',
      format: 'rtf',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { code: string; details: { problems: { pointer: string; message: string }[] } };
    };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.problems).toEqual([
      { pointer: '/format', message: expect.stringMatching(/pdf.*docx.*txt/) },
    ]);
  });
});
