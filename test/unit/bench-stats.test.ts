import { describe, expect, it } from 'vitest';
import { bootstrapPercentileRatio, percentile } from '../../bench/stats.ts';

/** `n` latencies spread evenly over [from, to). */
function spread(n: number, from: number, to: number): number[] {
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / n);
}

describe('bootstrapPercentileRatio', () => {
  it('brackets the ratio of two windows drawn from the same latencies around 1', () => {
    const before = spread(800, 2, 20);
    const after = spread(250, 2, 20);
    const interval = bootstrapPercentileRatio(before, after, { p: 95 });
    expect(interval?.low).toBeLessThan(1);
    expect(interval?.high).toBeGreaterThan(1);
  });

  it('holds the point ratio and excludes 1 when the second window is twice as slow', () => {
    const before = spread(800, 2, 20);
    const after = spread(250, 4, 40);
    const point =
      percentile(
        [...after].sort((a, b) => a - b),
        95,
      ) /
      percentile(
        [...before].sort((a, b) => a - b),
        95,
      );
    const interval = bootstrapPercentileRatio(before, after, { p: 95 });
    expect(interval?.low).toBeLessThanOrEqual(point);
    expect(interval?.high).toBeGreaterThanOrEqual(point);
    expect(interval?.low).toBeGreaterThan(1.5);
  });

  it('is wider for a small window than for a large one', () => {
    const before = spread(800, 2, 20);
    const width = (n: number) => {
      const interval = bootstrapPercentileRatio(before, spread(n, 2, 20), { p: 95 });
      return (interval?.high ?? 0) - (interval?.low ?? 0);
    };
    expect(width(40)).toBeGreaterThan(width(2_000));
  });

  it('gives the same interval for the same seed, and none without samples', () => {
    const before = spread(300, 1, 10);
    const after = spread(100, 1, 30);
    expect(bootstrapPercentileRatio(before, after, { p: 95, seed: 7 })).toEqual(
      bootstrapPercentileRatio(before, after, { p: 95, seed: 7 }),
    );
    expect(bootstrapPercentileRatio([], after, { p: 95 })).toBeUndefined();
    expect(bootstrapPercentileRatio(before, [], { p: 95 })).toBeUndefined();
  });
});
