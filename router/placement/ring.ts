/**
 * Weighted rendezvous (highest-random-weight) hashing over the cells.
 *
 * Each user id is hashed once to 64 bits (two murmur3 halves, no BigInt). For
 * every cell that 64-bit value is mixed with the cell's precomputed seed into a
 * uniform `u` in (0, 1) and scored `-weight / ln(u)`; the highest score wins.
 * That score is the logarithmic method of Schindelhauer & Schomaker: a cell's
 * share is exactly proportional to its weight, and adding or removing one cell
 * only moves users to or from that cell. See docs/adr/0001-placement-ring.md.
 */
import { fmix32 } from '../../lib/hash/murmur.ts';

export interface RingCell {
  id: string;
  /** Relative capacity, a positive number. @defaultValue 1 */
  weight?: number;
}

interface SeededCell {
  id: string;
  weight: number;
  seedHi: number;
  seedLo: number;
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const TWO_POW_32 = 4_294_967_296;
const TWO_POW_53 = 9_007_199_254_740_992;

/** murmur3 (x86, 32-bit) over the UTF-16 code units of `key`, two code units per block lane. */
export function murmur3(key: string, seed: number): number {
  let h = seed >>> 0;
  const length = key.length;
  const blocks = length & ~1;
  for (let i = 0; i < blocks; i += 2) {
    let k = (key.charCodeAt(i) & 0xffff) | (key.charCodeAt(i + 1) << 16);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (length & 1) {
    let k = key.charCodeAt(length - 1) & 0xffff;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= length;
  return fmix32(h);
}

/** The 64-bit key of a user id, as two unsigned 32-bit halves. */
export function hashKey(key: string): [number, number] {
  return [murmur3(key, 0x9747b28c), murmur3(key, 0x5bd1e995)];
}

/**
 * A uniform double in (0, 1) from the key and a cell seed. The two rounds of
 * fmix32 make every output bit depend on every bit of both halves.
 */
function uniform(keyHi: number, keyLo: number, seedHi: number, seedLo: number): number {
  const a = fmix32((keyHi ^ seedHi) >>> 0);
  const b = fmix32((keyLo ^ seedLo ^ Math.imul(a, 0x9e3779b1)) >>> 0);
  const hi = fmix32((a ^ Math.imul(b, 0x27d4eb2f)) >>> 0) >>> 11; // 21 bits
  return (hi * TWO_POW_32 + b + 0.5) / TWO_POW_53;
}

/** An immutable placement function over a fixed set of cells. */
export class RendezvousRing {
  readonly cells: readonly RingCell[];
  readonly #seeded: SeededCell[];

  constructor(cells: readonly RingCell[]) {
    const seen = new Set<string>();
    for (const cell of cells) {
      if (seen.has(cell.id)) throw new Error(`duplicate cell id ${cell.id}`);
      seen.add(cell.id);
      const weight = cell.weight ?? 1;
      if (!(weight > 0) || !Number.isFinite(weight)) {
        throw new Error(`cell ${cell.id} has invalid weight ${weight}`);
      }
    }
    // Sorted so that the (practically impossible) score tie resolves the same way everywhere.
    this.cells = [...cells].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.#seeded = this.cells.map((cell) => {
      const [seedHi, seedLo] = hashKey(`cell:${cell.id}`);
      return { id: cell.id, weight: cell.weight ?? 1, seedHi, seedLo };
    });
  }

  get size(): number {
    return this.#seeded.length;
  }

  /** The id of the cell that owns `key`, or undefined when the ring is empty. */
  lookup(key: string): string | undefined {
    const [keyHi, keyLo] = hashKey(key);
    let best: string | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const cell of this.#seeded) {
      // -w/ln(u) grows with u; ln(u) < 0 because u is strictly inside (0, 1).
      const score = -cell.weight / Math.log(uniform(keyHi, keyLo, cell.seedHi, cell.seedLo));
      if (score > bestScore) {
        bestScore = score;
        best = cell.id;
      }
    }
    return best;
  }

  /**
   * Every cell id in the key's rendezvous order, best first. `rank(key)[0]` is
   * `lookup(key)`; the next ones are where the key goes if the better cells are
   * unavailable, the same fallback order on every replica.
   */
  rank(key: string): string[] {
    const [keyHi, keyLo] = hashKey(key);
    return this.#seeded
      .map((cell) => ({
        id: cell.id,
        score: -cell.weight / Math.log(uniform(keyHi, keyLo, cell.seedHi, cell.seedLo)),
      }))
      .sort((a, b) => b.score - a.score)
      .map((cell) => cell.id);
  }
}
