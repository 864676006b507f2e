import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a, SHINGLE_WORDS, shingles } from './minhash.ts';

/** The definition: each shingle is the FNV-1a hash of its words joined by spaces. */
function referenceShingles(tokens: string[], size = SHINGLE_WORDS): Set<number> {
  if (tokens.length <= size) return new Set([fnv1a(tokens.join(' '))]);
  const out = new Set<number>();
  for (let i = 0; i + size <= tokens.length; i++)
    out.add(fnv1a(tokens.slice(i, i + size).join(' ')));
  return out;
}

describe('MinHash shingles', () => {
  it('hash every run of words exactly as FNV-1a of the words joined by spaces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        (tokens, size) => {
          expect([...shingles(tokens, size)]).toEqual([...referenceShingles(tokens, size)]);
        },
      ),
    );
  });

  it('gives different hashes to different word runs', () => {
    const a = shingles(['senior', 'engineer', 'with', 'go', 'and', 'kafka']);
    const b = shingles(['senior', 'engineer', 'with', 'go', 'and', 'rust']);
    expect([...a].filter((h) => b.has(h))).toHaveLength(1);
  });
});
