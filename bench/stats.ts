/** Statistics shared by the benchmarks: percentiles and medians of samples. */

import { createRng, type Rng } from '../lib/random.ts';

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

/** The p-th percentile of a resample (with replacement) of `samples`. */
function resampledPercentile(samples: readonly number[], p: number, random: Rng): number {
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
  const random = createRng(options.seed ?? 1);
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
