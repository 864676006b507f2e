import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullParagraphDirection, paragraphDirection } from './bidi.ts';

/** Characters of every bidi type a resume line can hold, isolates and paragraph breaks included. */
const PIECES = [
  'a',
  'Z',
  'é',
  'ש',
  'ם',
  'ب',
  'ٱ',
  '٣',
  '3',
  ' ',
  '\n',
  '.',
  ',',
  '-',
  '+',
  '$',
  '%',
  '(',
  ')',
  '—',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u0301',
  '中',
  '😀',
];

describe('paragraphDirection', () => {
  it('agrees with the full bidi algorithm on any text', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }), (pieces) => {
        const text = pieces.join('');
        expect(paragraphDirection(text)).toBe(fullParagraphDirection(text));
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads the first strong character', () => {
    expect(paragraphDirection('2024 — שלום world')).toBe('rtl');
    expect(paragraphDirection('(world) שלום')).toBe('ltr');
    expect(paragraphDirection('\u2067abc\u2069 שלום')).toBe('rtl');
    expect(paragraphDirection('123\nשלום')).toBe('ltr');
  });
});
