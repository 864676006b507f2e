import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFaceSet } from './font-fallback.ts';
import { TEMPLATES } from './templates.ts';
import { CoverageReport, UNCOVERED_MARKER } from './text-coverage.ts';

const CONTROL = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}]|\u20e3/u;

describe('CoverageReport', () => {
  for (const template of Object.values(TEMPLATES)) {
    it(`never drops a visible character: every code point is kept or replaced one for one (${template.id})`, () => {
      const fonts = loadFaceSet(template.fonts);
      fc.assert(
        // Emoji are left out rather than replaced: see the test below.
        fc.property(
          fc.string({ unit: 'binary', maxLength: 40 }).filter((t) => !EMOJI.test(t)),
          (text) => {
            const report = new CoverageReport(fonts);
            const input = [...text.normalize('NFC')].filter(
              (char) => CONTROL.test(char) || !INVISIBLE.test(char),
            );
            const output = [...report.clean(text)];
            expect(output).toHaveLength(input.length);
            output.forEach((char, index) => {
              const original = input[index] ?? '';
              if (char === original) return;
              if (char === ' ') {
                expect(original).toMatch(CONTROL);
              } else {
                expect(char).toBe(UNCOVERED_MARKER);
                expect(report.uncovered.has(original.codePointAt(0) ?? -1)).toBe(true);
              }
            });
          },
        ),
      );
    });
  }

  it('leaves out an emoji no font draws, cleanly, and reports it', () => {
    const report = new CoverageReport(loadFaceSet(TEMPLATES.classic.fonts));
    expect(report.clean('Ana 😀 Silva 🇫🇷')).toBe('Ana Silva');
    expect(report.clean('🚀 Launch')).toBe('Launch');
    expect(report.labels()).toEqual(['U+1F1EB', 'U+1F1F7', 'U+1F600', 'U+1F680']);
  });

  it('covers Latin with diacritics, Greek and Cyrillic in every template', () => {
    const sample = 'Åsa Ørsted Łódź Ñandú Đặng Ελληνικά Ωμέγα Русский Україна Ђорђе';
    for (const template of Object.values(TEMPLATES)) {
      const report = new CoverageReport(loadFaceSet(template.fonts));
      expect(report.clean(sample)).toBe(sample);
      expect(report.labels()).toEqual([]);
    }
  });

  it('covers CJK and right-to-left scripts through fallback fonts, and reports emoji and private use', () => {
    const report = new CoverageReport(loadFaceSet(TEMPLATES.classic.fonts));
    expect(report.clean('東京 שלום مرحبا नमस्ते ไทย 😀 \ue000 ok')).toBe(
      '東京 שלום مرحبا नमस्ते ไทย � ok',
    );
    expect(report.labels()).toEqual(['U+E000', 'U+1F600']);
  });

  it('turns control characters into spaces and composes decomposed accents', () => {
    const report = new CoverageReport(loadFaceSet(TEMPLATES.modern.fonts));
    expect(report.clean('a\u0000b\tc\u202ed')).toBe('a b c d');
    expect(report.clean('Jose\u0301')).toBe('José');
  });

  it('drops invisible format characters, which would otherwise extract as spaces', () => {
    const report = new CoverageReport(loadFaceSet(TEMPLATES.modern.fonts));
    expect(
      report.clean('Soft\u00adware Zero\u200bwidth Join\u200der Word\u2060joiner ☺\ufe0f'),
    ).toBe('Software Zerowidth Joiner Wordjoiner ☺');
    expect(report.labels()).toEqual([]);
  });
});
