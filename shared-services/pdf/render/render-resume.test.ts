import { describe, expect, it } from 'vitest';
import { loadResume } from '../test-support/fixtures.ts';
import { normalizeText, pdfInfo, pdfToText } from '../test-support/poppler.ts';
import { renderResume } from './render-resume.ts';
import { UNCOVERED_MARKER } from './text-coverage.ts';

describe('renderResume', () => {
  it('produces the same bytes for the same input', async () => {
    const input = {
      resume: loadResume('sample'),
      template: 'modern',
      emphasize: ['Javascript'],
    } as const;
    const first = await renderResume(input);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await renderResume(structuredClone(input));
    expect(Buffer.from(second.pdf).equals(Buffer.from(first.pdf))).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('produces different bytes when the template, page size or emphasis changes', async () => {
    const resume = loadResume('one-page');
    const hashes = new Set(
      await Promise.all(
        [
          renderResume({ resume, template: 'modern' }),
          renderResume({ resume, template: 'classic' }),
          renderResume({ resume, template: 'modern', pageSize: 'a4' }),
          renderResume({ resume, template: 'modern', emphasize: ['Go'] }),
        ].map(async (result) => (await result).sha256),
      ),
    );
    expect(hashes.size).toBe(4);
  });

  it('writes title, author, keywords and fixed dates into the PDF metadata', async () => {
    const { pdf } = await renderResume({
      resume: loadResume('one-page'),
      template: 'classic',
      emphasize: ['ledger'],
    });
    const info = await pdfInfo(pdf);
    expect(info.Title).toBe('Jane Q. Doe — Resume');
    expect(info.Author).toBe('Jane Q. Doe');
    expect(info.Subject).toBe('Backend Engineer');
    expect(info.Keywords).toContain('TypeScript');
    expect(info.Keywords).toContain('ledger');
    expect(info.CreationDate).toContain('2000');
    expect(info['Page size']).toContain('612 x 792');
  });

  it('uses A4 paper when asked', async () => {
    const { pdf } = await renderResume({
      resume: loadResume('one-page'),
      template: 'compact',
      pageSize: 'a4',
    });
    expect((await pdfInfo(pdf))['Page size']).toContain('595.28 x 841.89');
  });

  it('makes email, website and profile links clickable', async () => {
    const { pdf } = await renderResume({ resume: loadResume('one-page'), template: 'modern' });
    const raw = Buffer.from(pdf).toString('latin1');
    expect(raw).toContain('/URI (mailto:jane.doe@example.com)');
    expect(raw).toContain('/URI (https://jane.example.com)');
    expect(raw).toContain('/URI (https://github.com/janedoe)');
  });

  it('draws CJK and Hebrew with fallback fonts and reports only what no font covers', async () => {
    const { pdf, uncovered } = await renderResume({
      resume: loadResume('cjk-mixed'),
      template: 'modern',
    });
    // 王小明 北京 and Hebrew come from the Noto fallbacks; the rocket emoji has no font.
    expect(uncovered).toEqual(['U+1F680']);
    // pdftotext wraps right-to-left runs in embedding marks; an ATS reads the letters.
    const text = normalizeText(await pdfToText(pdf)).replace(/[\u202a-\u202e]/g, '');
    expect(text).toContain('王小明 (Wang Xiaoming)');
    expect(text).toContain('Beijing 北京 and Tel Aviv תל אביב');
    // The emoji is left out cleanly, not marked.
    expect(text).not.toContain(UNCOVERED_MARKER);
    expect(text).not.toContain('🚀');
  });

  it('renders a resume with only one section and no name', async () => {
    const { pdf, pages } = await renderResume({
      resume: { skills: [{ name: 'Tools', keywords: ['git'] }] },
      template: 'compact',
    });
    expect(pages).toBe(1);
    expect(normalizeText(await pdfToText(pdf))).toContain('Tools: git');
    expect((await pdfInfo(pdf)).Title).toBe('Resume');
  });
});
