/**
 * Fuzz (issue 14): random resumes over the schema, strings drawn from many
 * scripts at once plus characters no font draws (private use, emoji), are
 * rendered in every template; each must render, and **every word pdftotext
 * extracts must come from the input**: a subsequence of one of the resume's
 * strings (characters in order, some left out: an undrawn emoji, a space
 * pdftotext reads past), or one of the template's own words (headings,
 * "Present"), once the template's separators are trimmed. A font that drew the wrong glyph, a
 * ToUnicode map that named the wrong letter, or text from another document
 * fails it.
 *
 * Right-to-left, Indic and Thai text are left out: pdftotext reads some of
 * their lines out of order (the known gaps of `scripts-round-trip.test.ts`).
 *
 * `FUZZ_PDF_RUNS` (default 1000) resumes per run; the seed is printed by
 * fast-check on failure and `FUZZ_PDF_SEED=<seed>` replays it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderResume } from './render/render-resume.ts';
import { type Resume, TEMPLATE_IDS as TEMPLATES } from './render/resume-schema.ts';
import { pdfToText } from './test-support/poppler.ts';

const RUNS = Number(process.env.FUZZ_PDF_RUNS ?? 1000);

const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) =>
    String.fromCodePoint(from + i * step),
  );

/** Letters of scripts that read left to right with simple shaping, and CJK. */
const LETTERS = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  ...'àáâãäçèéêëìíîïñòóôõöøùúûüýÿßąćęłńśźżčďěňřšťůžğışőű',
  ...'ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρστυφχψω',
  ...'АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯабвгдежзийклмнопрстуфхцчшщэюя',
  ...'ạảấầẩẫậắằẳẵặẹẻẽếềểễệđơư',
  ...range(0x4e00, 0x4fff, 7), // CJK ideographs
  ...range(0x3041, 0x3093, 3), // Hiragana
  ...range(0x30a1, 0x30f3, 3), // Katakana
  ...range(0xac00, 0xd7a3, 211), // Hangul syllables
  ...range(0x10d0, 0x10f0), // Georgian
  ...range(0x0561, 0x0586), // Armenian
];
/**
 * Characters no font draws, reported as uncovered: an emoji is dropped, any
 * other is drawn as the visible marker U+FFFD; never as another letter.
 */
const UNDRAWN = ['\u{e000}', '\u{e0ff}', '\u{1f600}', '\u{1f680}', '\u{10ffff}'];

const word = fc.string({
  unit: fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom(...LETTERS) },
    fc.constantFrom(...UNDRAWN),
  ),
  minLength: 1,
  maxLength: 14,
});
const text = fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => words.join(' '));
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const resumeArbitrary: fc.Arbitrary<Resume> = fc.record({
  basics: fc.record({ name: text, label: optional(text), summary: optional(text) }),
  work: fc.array(
    fc.record({
      name: text,
      position: optional(text),
      summary: optional(text),
      highlights: optional(fc.array(text, { maxLength: 4 })),
    }),
    { maxLength: 3 },
  ),
  education: fc.array(fc.record({ institution: text, area: optional(text) }), { maxLength: 2 }),
  skills: fc.array(
    fc.record({ name: text, keywords: optional(fc.array(word, { maxLength: 4 })) }),
    { maxLength: 3 },
  ),
}) as fc.Arbitrary<Resume>;

/** The strings of a resume, wherever they are. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value.normalize('NFC'));
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

/**
 * Whether `word` is `source` with characters left out. Not a substring: pdftotext
 * reads single-letter words set apart by spaces ("W A V") as one letter-spaced
 * word ("WAV"), with or without our renderer (plain pdfkit does the same).
 */
function isSubsequence(word: string, source: string): boolean {
  let at = 0;
  for (const char of source) {
    if (word.startsWith(char, at)) at += char.length;
    if (at === word.length) return true;
  }
  return at === word.length;
}

/** Separators and punctuation the templates put between a resume's strings. */
const SEPARATORS = /^[\s,.;:·•|/()[\]–—-]+|[\s,.;:·•|/()[\]–—-]+$/gu;

/** The template's own words: what it prints around a resume whose every string is `Q`. */
async function templateWords(template: (typeof TEMPLATES)[number]): Promise<Set<string>> {
  const skeleton: Resume = {
    basics: { name: 'Q', label: 'Q', summary: 'Q' },
    work: [{ name: 'Q', position: 'Q', summary: 'Q', highlights: ['Q'] }],
    education: [{ institution: 'Q', area: 'Q' }],
    skills: [{ name: 'Q', keywords: ['Q'] }],
  };
  const { pdf } = await renderResume({ resume: skeleton, template });
  const words = (await pdfToText(pdf)).split(/\s+/).map((w) => w.replace(SEPARATORS, ''));
  return new Set(words.filter((w) => w !== '' && w !== 'Q'));
}

describe('fuzz: every word an ATS extracts comes from the resume', () => {
  it(`holds for ${RUNS} random multi-script resumes across the templates`, async () => {
    const vocabulary = new Map(
      await Promise.all(TEMPLATES.map(async (t) => [t, await templateWords(t)] as const)),
    );
    await fc.assert(
      fc.asyncProperty(resumeArbitrary, fc.constantFrom(...TEMPLATES), async (resume, template) => {
        const { pdf, pages } = await renderResume({ resume, template });
        expect(pages).toBeGreaterThanOrEqual(1);
        // An undrawn character that is not an emoji is drawn as the visible U+FFFD marker
        // (text-coverage.ts): that is what the input says there.
        const sources = stringsOf(resume).map((source) =>
          source.replace(/[\u{e000}-\u{f8ff}\u{f0000}-\u{10ffff}]/gu, '\ufffd'),
        );
        const own = vocabulary.get(template) ?? new Set<string>();
        const foreign = (await pdfToText(pdf))
          .normalize('NFC')
          // pdftotext joins single-letter words across a template's dash or dot ("A—A").
          .split(/[\s–—·•|]+/u)
          .map((w) => w.replace(SEPARATORS, ''))
          .filter((w) => w !== '' && !own.has(w) && !sources.some((s) => isSubsequence(w, s)));
        expect(foreign, `words no input string holds (${template})`).toEqual([]);
      }),
      {
        numRuns: RUNS,
        ...(process.env.FUZZ_PDF_SEED ? { seed: Number(process.env.FUZZ_PDF_SEED) } : {}),
      },
    );
    // A correctness bar, not a speed one: 1000 renders and pdftotext runs take about 4 minutes
    // alone on 2 cores and over 10 under a load average of 19.
  }, 1_800_000);
});
