import { describe, expect, it } from 'vitest';
import { createRng } from '../../../lib/random.ts';
import {
  betaCdf,
  betaQuantile,
  chooseStrategy,
  posteriorOf,
  type Strategy,
  type StrategyStats,
  sampleBeta,
  sampleGamma,
  summarize,
} from './strategy-bandit.ts';

function meanAndVariance(values: number[]): [number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return [mean, variance];
}

describe('seeded random generator and samplers', () => {
  it('reproduces the same sequence for the same seed and another for another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(Array.from({ length: 5 }, c)).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it.each([0.3, 1, 2.5, 30])('samples Gamma(%s) with the right mean and variance', (shape) => {
    const rng = createRng(7);
    const [mean, variance] = meanAndVariance(
      Array.from({ length: 40_000 }, () => sampleGamma(shape, rng)),
    );
    expect(mean).toBeCloseTo(shape, 1);
    expect(Math.abs(variance - shape) / shape).toBeLessThan(0.05);
  });

  it('samples Beta whose empirical quantiles match the exact Beta quantiles', () => {
    const rng = createRng(11);
    for (const [a, b] of [
      [2, 8],
      [0.5, 0.5],
      [30, 70],
    ] as const) {
      const samples = Array.from({ length: 40_000 }, () => sampleBeta(a, b, rng));
      const [mean] = meanAndVariance(samples);
      expect(mean).toBeCloseTo(a / (a + b), 2);
      for (const p of [0.05, 0.5, 0.95]) {
        const q = betaQuantile(p, a, b);
        const below = samples.filter((x) => x < q).length / samples.length;
        expect(Math.abs(below - p)).toBeLessThan(0.01);
      }
    }
  });
});

describe('Beta distribution functions', () => {
  it('match closed forms', () => {
    for (const x of [0.1, 0.37, 0.5, 0.9]) {
      expect(betaCdf(x, 1, 1)).toBeCloseTo(x, 12);
      expect(betaCdf(x, 2, 1)).toBeCloseTo(x * x, 12);
      expect(betaCdf(x, 1, 3)).toBeCloseTo(1 - (1 - x) ** 3, 12);
    }
    expect(betaCdf(0.5, 7, 7)).toBeCloseTo(0.5, 12);
    expect(betaQuantile(0.025, 1, 1)).toBeCloseTo(0.025, 12);
    expect(betaQuantile(0.9, 2, 1)).toBeCloseTo(Math.sqrt(0.9), 12);
  });
});

const noData: StrategyStats = { user: {}, cell: {} };

describe('chooseStrategy', () => {
  it('makes the same choices for the same seed and the same data', () => {
    const run = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 50 }, () => chooseStrategy(noData, rng).strategy);
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('converges to the strategy with the best response rate in simulation', () => {
    const trueRates: Record<Strategy, number> = {
      'keyword-first': 0.05,
      'impact-first': 0.25,
      concise: 0.12,
    };
    const rng = createRng(2024);
    const world = createRng(99);
    const stats: StrategyStats = { user: {}, cell: {} };
    const late: Strategy[] = [];
    for (let round = 0; round < 2_000; round += 1) {
      const { strategy } = chooseStrategy(stats, rng);
      const arm = stats.user[strategy] ?? { successes: 0, failures: 0 };
      if (world() < trueRates[strategy]) arm.successes += 1;
      else arm.failures += 1;
      stats.user[strategy] = arm;
      if (round >= 1_500) late.push(strategy);
    }
    const share = late.filter((s) => s === 'impact-first').length / late.length;
    expect(share).toBeGreaterThan(0.85);
  });

  it('starts a new user from the cell-wide prior, and lets the user’s own outcomes win', () => {
    const cell = {
      'keyword-first': { successes: 10, failures: 990 },
      'impact-first': { successes: 300, failures: 700 },
      concise: { successes: 10, failures: 990 },
    };
    const rng = createRng(5);
    const newUser = Array.from({ length: 200 }, () => chooseStrategy({ user: {}, cell }, rng));
    expect(newUser.filter((c) => c.strategy === 'impact-first').length).toBeGreaterThan(170);

    const user = {
      'impact-first': { successes: 0, failures: 60 },
      concise: { successes: 20, failures: 40 },
    };
    const experienced = Array.from({ length: 200 }, () => chooseStrategy({ user, cell }, rng));
    expect(experienced.filter((c) => c.strategy === 'concise').length).toBeGreaterThan(170);
  });

  it('caps the weight of the cell prior', () => {
    const huge = { successes: 1_000_000, failures: 1_000_000 };
    const posterior = posteriorOf({ user: {}, cell: { concise: huge } }, 'concise');
    expect(posterior.alpha + posterior.beta).toBeCloseTo(2 + 20, 6);
  });
});

describe('summarize', () => {
  it('reports the response rate with a credible interval that shrinks with data', () => {
    const widths = [10, 100, 1_000].map((n) => {
      const [summary] = summarize(
        { user: { concise: { successes: n / 5, failures: (4 * n) / 5 } }, cell: {} },
        { strategies: ['concise'] },
      );
      if (!summary) throw new Error('no summary');
      expect(summary.observedRate).toBeCloseTo(0.2, 12);
      expect(summary.interval.lower).toBeLessThan(summary.responseRate);
      expect(summary.interval.upper).toBeGreaterThan(summary.responseRate);
      return summary.interval.upper - summary.interval.lower;
    });
    expect(widths[1]).toBeLessThan(widths[0] as number);
    expect(widths[2]).toBeLessThan(widths[1] as number);
    expect(widths[2]).toBeLessThan(0.06);
  });

  it('reports every strategy, with no observed rate before any outcome', () => {
    const summaries = summarize(noData);
    expect(summaries.map((s) => s.strategy)).toEqual(['keyword-first', 'impact-first', 'concise']);
    expect(summaries[0]).toMatchObject({ applications: 0, observedRate: null, responseRate: 0.5 });
    expect(summaries[0]?.interval.lower).toBeCloseTo(0.025, 9);
  });
});
