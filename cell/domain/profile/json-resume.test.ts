/**
 * Properties of the lenient import check over random resumes with arbitrary
 * Unicode: it never throws, it refuses exactly the text that cannot be stored,
 * and what it tolerates never turns into a refusal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJsonResume, RESUME_LIMITS } from './json-resume.ts';

const anyCodePoint = fc
  .integer({ min: 0, max: 0x10ffff })
  .map((code) => String.fromCodePoint(code));

function isAllowedCharacter(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  if (code === 0x09 || code === 0x0a || code === 0x0d) return true;
  return code >= 0x20 && !(code >= 0x7f && code <= 0x9f);
}

/** Text a resume may hold: no lone surrogates, no controls but tab and line breaks. */
const cleanText = fc
  .string({ unit: 'grapheme', maxLength: 30 })
  .map((text) => [...text].filter(isAllowedCharacter).join(''));

const textFields = ['label', 'email', 'url', 'summary', 'phone', 'image'] as const;
const workFields = ['name', 'company', 'website', 'position', 'startDate', 'endDate'] as const;

/** A well-typed resume with a name; values are anything a person might type. */
const wellTyped = fc.record({
  basics: fc.record({
    name: cleanText.filter((name) => name.trim() !== ''),
    ...Object.fromEntries(textFields.map((field) => [field, fc.option(cleanText)])),
  }),
  work: fc.array(
    fc.record(Object.fromEntries(workFields.map((field) => [field, cleanText])), {
      requiredKeys: [],
    }),
    { maxLength: 4 },
  ),
  'x-anything': fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value))),
});

describe('checkJsonResume', () => {
  it('never throws on arbitrary JSON, and names every problem by a pointer into it', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.object({ maxDepth: 4 })),
        fc.string({ unit: anyCodePoint, maxLength: 20 }),
        (value, name) => {
          const document =
            typeof value === 'object' && value !== null && !Array.isArray(value)
              ? { ...value, basics: { name } }
              : value;
          const { problems, warnings } = checkJsonResume(document);
          for (const finding of [...problems, ...warnings]) {
            expect(finding.pointer === '' || finding.pointer.startsWith('/')).toBe(true);
            expect(finding.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 1_000, seed: 14 },
    );
  });

  it('accepts every well-typed resume with a name and clean text, whatever it holds', () => {
    fc.assert(
      fc.property(wellTyped, (resume) => {
        const check = checkJsonResume(resume);
        // jsonValue may hold controls or lone surrogates in its strings: only those may be refused.
        for (const problem of check.problems) expect(problem.pointer).toMatch(/^\/x-anything/);
      }),
      { numRuns: 1_000, seed: 15 },
    );
  });

  it('refuses a lone surrogate or a control character anywhere, at its pointer', () => {
    fc.assert(
      fc.property(
        wellTyped,
        fc.constantFrom('\ud800', '\udfff', '\u0000', '\u001b', '\u0085'),
        fc.nat(),
        (resume, bad, at) => {
          const name = resume.basics.name;
          const position = at % (name.length + 1);
          const poisoned = {
            ...resume,
            'x-anything': null,
            basics: {
              ...resume.basics,
              name: name.slice(0, position) + bad + name.slice(position),
            },
          };
          expect(checkJsonResume(poisoned).problems.map((p) => p.pointer)).toContain(
            '/basics/name',
          );
        },
      ),
      { numRuns: 500, seed: 16 },
    );
  });

  it('counts characters, not UTF-16 units, against the string limit', () => {
    const atLimit = '𝄞'.repeat(RESUME_LIMITS.maxStringLength);
    expect(checkJsonResume({ basics: { name: 'A', summary: atLimit } }).problems).toEqual([]);
    expect(checkJsonResume({ basics: { name: 'A', summary: `${atLimit}x` } }).problems).toEqual([
      {
        pointer: '/basics/summary',
        message: `is longer than ${RESUME_LIMITS.maxStringLength} characters`,
      },
    ]);
  });

  it('escapes ~ and / in pointers as RFC 6901 says', () => {
    expect(checkJsonResume({ basics: { name: 'A', 'a/b~c': '' } }).warnings).toEqual([
      { pointer: '/basics/a~1b~0c', message: 'is empty; treated as absent' },
    ]);
  });
});
