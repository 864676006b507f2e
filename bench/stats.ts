/** Statistics shared by the benchmarks: percentiles and medians of samples. */

/** The p-th percentile (0..100) of ascending-sorted samples, nearest-rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

export function median(samples: readonly number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}

/** A small seeded PRNG (mulberry32): the same seed gives the same interval on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The p-th percentile of a resample (with replacement) of `samples`. */
function resampledPercentile(samples: readonly number[], p: number, random: () => number): number {
  const drawn = new Array<number>(samples.length);
  for (let i = 0; i < samples.length; i++) {
    drawn[i] = samples[Math.floor(random() * samples.length)] as number;
  }
  return percentile(
    drawn.sort((a, b) => a - b),
    p,
  );
}

/**
 * A percentile bootstrap interval for `percentile(after, p) / percentile(before, p)`:
 * both windows are resampled with replacement `rounds` times, and the ratios'
 * `(100 - level) / 2` and `(100 + level) / 2` percentiles bound it. A few hundred
 * requests give a p95 only to within a wide margin; this says how wide. Seeded,
 * so a run's figures can be reproduced from its samples. Undefined without samples.
 */
export function bootstrapPercentileRatio(
  before: readonly number[],
  after: readonly number[],
  options: { p: number; level?: number; rounds?: number; seed?: number },
): { low: number; high: number } | undefined {
  if (before.length === 0 || after.length === 0) return undefined;
  const random = mulberry32(options.seed ?? 1);
  const rounds = options.rounds ?? 2_000;
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const base = resampledPercentile(before, options.p, random);
    if (base > 0) ratios.push(resampledPercentile(after, options.p, random) / base);
  }
  if (ratios.length === 0) return undefined;
  ratios.sort((a, b) => a - b);
  const level = options.level ?? 90;
  return {
    low: percentile(ratios, (100 - level) / 2),
    high: percentile(ratios, (100 + level) / 2),
  };
}
