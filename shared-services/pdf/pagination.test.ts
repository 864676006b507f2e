/**
 * Pagination as a reader sees it: page counts from pdfinfo, page contents
 * from pdftotext page by page.
 */
import { describe, expect, it } from 'vitest';
import { renderResume } from './render/render-resume.ts';
import type { TemplateId } from './render/resume-schema.ts';
import { loadResume } from './test-support/fixtures.ts';
import { normalizeText, pdfInfo, pdfToText } from './test-support/poppler.ts';

async function pagesText(pdf: Uint8Array, count: number): Promise<string[]> {
  const pages: string[] = [];
  for (let page = 1; page <= count; page += 1) {
    pages.push(normalizeText(await pdfToText(pdf, { page })));
  }
  return pages;
}

function pageOf(pages: string[], needle: string): number[] {
  const normalized = normalizeText(needle);
  return pages.flatMap((text, index) => (text.includes(normalized) ? [index + 1] : []));
}

describe('pagination', () => {
  for (const template of ['classic', 'modern'] as TemplateId[]) {
    it(`renders the three-page resume as exactly three numbered pages (${template})`, async () => {
      const { pdf, pages } = await renderResume({ resume: loadResume('three-page'), template });
      const info = await pdfInfo(pdf);
      expect(info.Pages).toBe('3');
      expect(pages).toBe(3);
      const text = await pagesText(pdf, 3);
      text.forEach((page, index) => {
        expect(page).toContain(`Page ${index + 1} of 3`);
      });
    });

    it(`never cuts an entry between pages and keeps headings with their first entry (${template})`, async () => {
      const resume = loadResume('three-page');
      const { pdf } = await renderResume({ resume, template });
      const text = await pagesText(pdf, 3);
      const entryPages = new Set<number>();
      for (const job of resume.work ?? []) {
        const first = pageOf(text, `${job.position} — ${job.name}`);
        const last = pageOf(text, job.highlights?.at(-1) ?? '');
        expect(first, `title of ${job.name}`).toHaveLength(1);
        expect(last, `last highlight of ${job.name}`).toEqual(first);
        entryPages.add(first[0] ?? 0);
      }
      // The Experience section is long enough to carry over all three pages.
      expect([...entryPages].sort()).toEqual([1, 2, 3]);
      const headingPage = (heading: string) =>
        text.findIndex((page) => new RegExp(`(^| )${heading}( |$)`, 'i').test(page)) + 1;
      expect(headingPage('Experience')).toBe(pageOf(text, resume.work?.[0]?.position ?? '')[0]);
      expect(headingPage('Education')).toBe(
        pageOf(text, resume.education?.[0]?.institution ?? '')[0],
      );
      expect(headingPage('Skills')).toBe(pageOf(text, 'Languages (Expert)')[0]);
    });
  }

  it('puts no page number on a one-page resume', async () => {
    const { pdf, pages } = await renderResume({
      resume: loadResume('one-page'),
      template: 'modern',
    });
    expect(pages).toBe(1);
    expect((await pdfInfo(pdf)).Pages).toBe('1');
    expect(await pdfToText(pdf)).not.toMatch(/Page \d+ of/);
  });

  it('fits more on a compact page than a classic one', async () => {
    const resume = loadResume('three-page');
    const compact = await renderResume({ resume, template: 'compact' });
    const classic = await renderResume({ resume, template: 'classic' });
    expect(compact.pages).toBeLessThan(classic.pages);
  });

  it('leaves empty, null and missing sections out without a heading', async () => {
    const legacy = await pdfToText(
      (await renderResume({ resume: loadResume('legacy-variant'), template: 'classic' })).pdf,
    );
    expect(legacy).not.toMatch(/volunteer|awards|projects|references/i);
    expect(legacy).toMatch(/EXPERIENCE/);
    const sparse = await pdfToText(
      (await renderResume({ resume: loadResume('sparse'), template: 'modern' })).pdf,
    );
    expect(sparse).not.toMatch(/interests|references|summary/i);
    expect(sparse).toMatch(/Skills/);
  });
});
