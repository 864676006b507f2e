/**
 * Which tailoring strategy to use for the next application: a Thompson-sampling
 * bandit on response rate, per user, with a cell-wide prior.
 *
 * Each strategy's response rate has a Beta posterior. The prior is built from
 * the whole cell's counts scaled by a shrink factor and capped, so a new user
 * starts from what works for everybody but their own outcomes soon dominate:
 *   prior = Beta(1 + s·cellSuccesses, 1 + s·cellFailures),
 *   s = min(shrink, maxPriorWeight / (cellSuccesses + cellFailures)).
 * Everything random goes through a seeded generator, so runs are reproducible.
 */
import type { Rng } from '../../../lib/random.ts';

export const STRATEGIES = ['keyword-first', 'impact-first', 'concise'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface ArmCounts {
  /** Submitted applications that got an employer response (see docs/reference/applications.md). */
  successes: number;
  /** Submitted applications without a response (yet). */
  failures: number;
}

export interface StrategyStats {
  /** This user's outcomes per strategy. */
  user: Partial<Record<Strategy, ArmCounts>>;
  /** The whole cell's outcomes per strategy (may include this user). */
  cell: Partial<Record<Strategy, ArmCounts>>;
}

export interface BanditOptions {
  /** Weight of one cell-wide outcome in a user's prior. @defaultValue 0.1 */
  shrink?: number;
  /** Cap on the prior's pseudo-observations, so the cell never drowns a user. @defaultValue 20 */
  maxPriorWeight?: number;
  /** Strategies to choose among. @defaultValue STRATEGIES */
  strategies?: readonly Strategy[];
}

/** Standard normal by the Marsaglia polar method. */
export function sampleNormal(rng: Rng): number {
  for (;;) {
    const u = 2 * rng() - 1;
    const v = 2 * rng() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 use the boost Gamma(a+1)·U^(1/a). */
export function sampleGamma(shape: number, rng: Rng): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`);
  if (shape < 1) {
    const u = 1 - rng(); // (0, 1], so the power is never 0^x
    return sampleGamma(shape + 1, rng) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(alpha, beta) as X/(X+Y) with X ~ Gamma(alpha), Y ~ Gamma(beta). */
export function sampleBeta(alpha: number, beta: number, rng: Rng): number {
  const x = sampleGamma(alpha, rng);
  const y = sampleGamma(beta, rng);
  return x / (x + y);
}

export interface BetaPosterior {
  alpha: number;
  beta: number;
}

function counts(arm: ArmCounts | undefined): ArmCounts {
  return { successes: Math.max(0, arm?.successes ?? 0), failures: Math.max(0, arm?.failures ?? 0) };
}

/** The posterior of one strategy for one user: cell prior plus the user's own counts. */
export function posteriorOf(
  stats: StrategyStats,
  strategy: Strategy,
  options: BanditOptions = {},
): BetaPosterior {
  const shrink = options.shrink ?? 0.1;
  const maxPriorWeight = options.maxPriorWeight ?? 20;
  const cell = counts(stats.cell[strategy]);
  const user = counts(stats.user[strategy]);
  const cellTotal = cell.successes + cell.failures;
  const weight = cellTotal === 0 ? 0 : Math.min(shrink, maxPriorWeight / cellTotal);
  return {
    alpha: 1 + weight * cell.successes + user.successes,
    beta: 1 + weight * cell.failures + user.failures,
  };
}

export interface StrategyChoice {
  strategy: Strategy;
  /** The sampled response rate of every strategy, for the record. */
  samples: Record<Strategy, number>;
}

/** Thompson sampling: draw a rate from each posterior and take the highest. */
export function chooseStrategy(
  stats: StrategyStats,
  rng: Rng,
  options: BanditOptions = {},
): StrategyChoice {
  const strategies = options.strategies ?? STRATEGIES;
  if (strategies.length === 0) throw new RangeError('no strategy to choose from');
  const samples = {} as Record<Strategy, number>;
  let best: Strategy = strategies[0] as Strategy;
  let bestSample = Number.NEGATIVE_INFINITY;
  for (const strategy of strategies) {
    const { alpha, beta } = posteriorOf(stats, strategy, options);
    const sample = sampleBeta(alpha, beta, rng);
    samples[strategy] = sample;
    if (sample > bestSample) {
      best = strategy;
      bestSample = sample;
    }
  }
  return { strategy: best, samples };
}

// ---- Beta quantiles ---------------------------------------------------------------------

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = coefficients[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i += 1) a += (coefficients[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m += 1) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return h;
}

/** The Beta(a, b) cumulative distribution function (regularised incomplete beta). */
export function betaCdf(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(x, a, b)) / a
    : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** The p-quantile of Beta(a, b), by bisection on the CDF (60 halvings: below 1e-15). */
export function betaQuantile(p: number, a: number, b: number): number {
  let low = 0;
  let high = 1;
  for (let i = 0; i < 60; i += 1) {
    const mid = (low + high) / 2;
    if (betaCdf(mid, a, b) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

// ---- summary ----------------------------------------------------------------------------

export interface StrategySummary {
  strategy: Strategy;
  applications: number;
  responses: number;
  /** responses / applications for this user, or null before any outcome. */
  observedRate: number | null;
  /** Posterior mean response rate (cell prior plus the user's counts). */
  responseRate: number;
  /** Equal-tailed credible interval of the response rate. */
  interval: { level: number; lower: number; upper: number };
}

/** Each strategy's response rate with its uncertainty, for `GET /v1/analytics`. */
export function summarize(
  stats: StrategyStats,
  options: BanditOptions & {
    /** Credible level of the interval. @defaultValue 0.95 */
    level?: number;
  } = {},
): StrategySummary[] {
  const level = options.level ?? 0.95;
  const tail = (1 - level) / 2;
  return (options.strategies ?? STRATEGIES).map((strategy) => {
    const user = counts(stats.user[strategy]);
    const applications = user.successes + user.failures;
    const { alpha, beta } = posteriorOf(stats, strategy, options);
    return {
      strategy,
      applications,
      responses: user.successes,
      observedRate: applications === 0 ? null : user.successes / applications,
      responseRate: alpha / (alpha + beta),
      interval: {
        level,
        lower: betaQuantile(tail, alpha, beta),
        upper: betaQuantile(1 - tail, alpha, beta),
      },
    };
  });
}
