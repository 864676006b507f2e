import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFaceSet } from './font-fallback.ts';
import { unitWidth } from './fonts.ts';
import { breakRuns, layoutResume } from './layout.ts';
import type { ResumeModel, Run } from './resume-model.ts';
import { TEMPLATES } from './templates.ts';

const template = TEMPLATES.modern;
const fonts = loadFaceSet(template.fonts);
const word = fc.stringMatching(/^[A-Za-zÀ-žΑ-ωА-я0-9.,]{1,30}$/);
const runs = fc.array(
  fc.record({ words: fc.array(word, { minLength: 1, maxLength: 12 }), bold: fc.boolean() }),
  { minLength: 1, maxLength: 5 },
);
const toRuns = (parts: { words: string[]; bold: boolean }[]): Run[] =>
  parts.map((p, i) => ({ text: (i > 0 ? ' ' : '') + p.words.join(' '), bold: p.bold }));

describe('breakRuns', () => {
  it('never makes a line wider than the column and never loses or reorders text', () => {
    fc.assert(
      fc.property(runs, fc.integer({ min: 40, max: 500 }), (parts, width) => {
        const lines = breakRuns(toRuns(parts), fonts, 10, width);
        for (const line of lines) {
          const text = line
            .map((s) => s.text)
            .join('')
            .trim();
          const measured = line.reduce((sum, s) => sum + s.width, 0);
          const trailing = line.filter((s, i) => i === line.length - 1 && s.text.trim() === '');
          const widthWithoutTrailing = measured - trailing.reduce((sum, s) => sum + s.width, 0);
          // A single character wider than the column is the only allowed overflow.
          if ([...text].length > 1) expect(widthWithoutTrailing).toBeLessThanOrEqual(width + 1e-6);
        }
        const rejoined = lines
          .map((l) => l.map((s) => s.text).join(''))
          .join('')
          .replace(/\s+/g, '');
        expect(rejoined).toBe(parts.flatMap((p) => p.words).join(''));
      }),
    );
  });

  it('breaks only at spaces when words fit', () => {
    const width =
      Math.max(
        unitWidth(fonts.primaryFace('regular').font, 'alpha beta'),
        unitWidth(fonts.primaryFace('regular').font, 'gamma delta'),
      ) * 10;
    const lines = breakRuns([{ text: 'alpha beta gamma delta' }], fonts, 10, width + 0.5);
    expect(
      lines.map((l) =>
        l
          .map((s) => s.text)
          .join('')
          .trim(),
      ),
    ).toEqual(['alpha beta', 'gamma delta']);
  });
});

describe('layoutResume', () => {
  const entry = fc.array(fc.array(word, { minLength: 1, maxLength: 40 }), {
    minLength: 1,
    maxLength: 8,
  });
  const model = fc.array(fc.array(entry, { minLength: 1, maxLength: 6 }), {
    minLength: 1,
    maxLength: 6,
  });
  const page = { width: 612, height: 792, margin: template.margin };

  it('keeps every line inside the page box and in reading order', () => {
    fc.assert(
      fc.property(model, (sections) => {
        const resume: ResumeModel = {
          name: 'Test Person',
          contact: [],
          keywords: [],
          sections: sections.map((entries, s) => ({
            heading: `Section ${s}`,
            entries: entries.map((paragraphs) => ({
              paragraphs: paragraphs.map((words, p) => ({
                role: p === 0 ? 'title' : 'bullet',
                runs: [{ text: words.join(' ') }],
              })),
            })),
          })),
        };
        const layout = layoutResume(resume, fonts, template, page);
        for (const lines of layout.pages) {
          expect(lines.length).toBeGreaterThan(0);
          let previousBottom = 0;
          for (const { line, y } of lines) {
            expect(y).toBeGreaterThanOrEqual(page.margin - 1e-6);
            expect(y + line.height).toBeLessThanOrEqual(page.height - page.margin + 1e-6);
            expect(y).toBeGreaterThanOrEqual(previousBottom - 1e-6);
            previousBottom = y + line.height;
          }
        }
        // No heading is ever the last thing on a page.
        for (const lines of layout.pages.slice(0, -1)) {
          const last = lines.at(-1)?.line.fragments[0]?.text ?? '';
          expect(last).not.toMatch(/^Section \d+$/);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('carries an entry taller than a page over line by line', () => {
    const resume: ResumeModel = {
      contact: [],
      keywords: [],
      sections: [
        {
          heading: 'Experience',
          entries: [
            {
              paragraphs: Array.from({ length: 120 }, (_, i) => ({
                role: 'bullet' as const,
                runs: [{ text: `Highlight number ${i}` }],
              })),
            },
          ],
        },
      ],
    };
    const layout = layoutResume(resume, fonts, template, page);
    expect(layout.pages.length).toBeGreaterThan(1);
    const texts = layout.pages.flatMap((lines) =>
      lines.map(({ line }) => line.fragments.map((f) => f.text).join('')),
    );
    expect(texts.filter((t) => t.includes('Highlight number'))).toHaveLength(120);
  });
});
