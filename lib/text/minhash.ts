/**
 * MinHash signatures over word shingles, and LSH banding to find candidates:
 * the near-duplicate detector for reposted or lightly edited job postings.
 * See docs/adr/0003-near-duplicate-jobs-minhash.md for the threshold measurement.
 */

import { htmlToText } from '../ai/embedded/index.ts';
import { fmix32 } from '../hash/murmur.ts';

/** Hash functions in a signature. */
export const SIGNATURE_SIZE = 128;
/**
 * 32 bands of 4 rows: a pair becomes a candidate with probability 1-(1-J^4)^32,
 * 0.99 at J=0.6 (the threshold) and 0.56 at J=0.4; candidates are then checked
 * against the threshold on the full signature.
 */
export const BANDS = 32;
export const ROWS = SIGNATURE_SIZE / BANDS;
/** Words per shingle. */
export const SHINGLE_WORDS = 5;

/** 32-bit FNV-1a of a string. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const SEEDS = Uint32Array.from({ length: SIGNATURE_SIZE }, (_, i) =>
  fmix32(0x9e3779b9 ^ (i * 0x61c88647)),
);

/** Lowercased words of the posting's text (HTML stripped), the unit of shingling. */
export function words(text: string): string[] {
  return htmlToText(text)
    .toLowerCase()
    .split(/[^\p{L}\p{N}+#]+/u)
    .filter(Boolean);
}

/** FNV-1a of `tokens[from..to)` joined by single spaces, without building the string. */
function fnv1aWords(tokens: readonly string[], from: number, to: number): number {
  let hash = 0x811c9dc5;
  for (let w = from; w < to; w++) {
    if (w > from) {
      hash ^= 0x20;
      hash = Math.imul(hash, 0x01000193);
    }
    const token = tokens[w] as string;
    for (let i = 0; i < token.length; i++) {
      hash ^= token.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
  }
  return hash >>> 0;
}

/** Hashes of every run of `size` consecutive words (FNV-1a of the words joined by spaces). */
export function shingles(tokens: readonly string[], size = SHINGLE_WORDS): Set<number> {
  const out = new Set<number>();
  if (tokens.length <= size) {
    out.add(fnv1aWords(tokens, 0, tokens.length));
    return out;
  }
  for (let i = 0; i + size <= tokens.length; i++) out.add(fnv1aWords(tokens, i, i + size));
  return out;
}

export function signature(shingleHashes: Set<number>): Uint32Array {
  const sig = new Uint32Array(SIGNATURE_SIZE).fill(0xffffffff);
  for (const shingle of shingleHashes) {
    for (let i = 0; i < SIGNATURE_SIZE; i++) {
      const value = fmix32(shingle ^ (SEEDS[i] as number));
      if (value < (sig[i] as number)) sig[i] = value;
    }
  }
  return sig;
}

/** MinHash signature of a text. */
export function signatureOf(text: string): Uint32Array {
  return signature(shingles(words(text)));
}

/** Estimated Jaccard similarity: the share of equal signature slots. */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  let equal = 0;
  for (let i = 0; i < SIGNATURE_SIZE; i++) if (a[i] === b[i]) equal++;
  return equal / SIGNATURE_SIZE;
}

/** Exact Jaccard similarity of two shingle sets (for measurement). */
export function jaccard(a: Set<number>, b: Set<number>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 1 : inter / union;
}

/** 32-bit hash of one band's rows. */
function bandHash(sig: Uint32Array, band: number): number {
  let hash = 0x811c9dc5 ^ band;
  for (let row = 0; row < ROWS; row++) {
    hash = Math.imul(hash ^ (sig[band * ROWS + row] as number), 0x01000193);
    hash = fmix32(hash);
  }
  return hash >>> 0;
}

/** One hash per band; equal band hashes make two signatures candidates. */
export function bandHashes(sig: Uint32Array): string[] {
  const out: string[] = [];
  for (let band = 0; band < BANDS; band++) out.push(bandHash(sig, band).toString(36));
  return out;
}

/**
 * The band hashes as integers for a database index: `band * 2^32 + hash`, so
 * keys of different bands never collide (below 2^37, exact in a JS number and
 * a Postgres bigint).
 */
export function bandKeys(sig: Uint32Array): number[] {
  const out: number[] = [];
  for (let band = 0; band < BANDS; band++) out.push(band * 2 ** 32 + bandHash(sig, band));
  return out;
}

/**
 * Estimated Jaccard at or above which two postings are the same posting.
 * Measured (docs/adr/0003-near-duplicate-jobs-minhash.md): distinct postings
 * reach 0.40 at most, light edits stay above 0.80.
 */
export const NEAR_DUPLICATE_THRESHOLD = 0.6;

export function encodeSignature(sig: Uint32Array): string {
  return Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('base64');
}

export function decodeSignature(encoded: string): Uint32Array {
  const bytes = Buffer.from(encoded, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Uint32Array(copy.buffer);
}
