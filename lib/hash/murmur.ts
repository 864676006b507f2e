/** Non-cryptographic hashing shared by the placement ring and MinHash. */

/** murmur3's 32-bit finalizer: spreads every input bit over the whole word. */
export function fmix32(input: number): number {
  let h = input;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
