import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BANDS,
  bandHashes,
  bandKeys,
  fnv1a,
  SHINGLE_WORDS,
  shingles,
  signatureOf,
} from './minhash.ts';

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

describe('MinHash band keys', () => {
  it('agree with the band hashes and keep each band in its own key range', () => {
    const sig = signatureOf('Senior Backend Engineer building payment rails with Go and Kafka');
    const keys = bandKeys(sig);
    expect(keys).toHaveLength(BANDS);
    keys.forEach((key, band) => {
      expect(Math.floor(key / 2 ** 32)).toBe(band);
      expect((key % 2 ** 32).toString(36)).toBe(bandHashes(sig)[band]);
    });
  });

  it('share a band key for a light edit and none for an unrelated text', () => {
    const base =
      'We are hiring a senior backend engineer to design build and operate services that ' +
      'handle millions of requests a day with Go PostgreSQL and Kubernetes in production. ' +
      'You will own features end to end and review code with thoughtful feedback.';
    const edited = `${base} Salary 90k to 110k.`;
    const other =
      'Our design team is looking for a product designer who loves research prototypes and ' +
      'accessible interfaces for mobile banking customers across Europe and Latin America.';
    const keys = new Set(bandKeys(signatureOf(base)));
    expect(bandKeys(signatureOf(edited)).some((k) => keys.has(k))).toBe(true);
    expect(bandKeys(signatureOf(other)).some((k) => keys.has(k))).toBe(false);
  });
});
