/**
 * Deterministic match scoring: which of the job's keywords the profile
 * evidences (skills, keywords, highlights, summaries), weighted so that
 * must-haves count three times as much, with a penalty for too few years.
 */
import type { JobAnalysis, JsonResume, MatchResult } from '../contract.ts';
import { hasEvidence, profileEvidence } from './profile-text.ts';

const MUST_WEIGHT = 3;
const OTHER_WEIGHT = 1;
/** Multiplier when the profile shows fewer years than the job's minimum. */
const YEARS_SHORTFALL_FACTOR = 0.85;

/** Years between the earliest work start and the latest end (or `now`), from ISO dates. */
export function yearsOfExperience(profile: JsonResume, now = new Date()): number | null {
  let earliest: number | undefined;
  let latest: number | undefined;
  for (const w of profile.work ?? []) {
    const start = w.startDate ? Date.parse(w.startDate) : Number.NaN;
    if (Number.isNaN(start)) continue;
    const end = w.endDate ? Date.parse(w.endDate) : now.getTime();
    earliest = earliest === undefined ? start : Math.min(earliest, start);
    if (!Number.isNaN(end)) latest = latest === undefined ? end : Math.max(latest, end);
  }
  if (earliest === undefined || latest === undefined) return null;
  return Math.max(0, (latest - earliest) / (365.25 * 24 * 3600 * 1000));
}

export function scoreMatch(
  profile: JsonResume,
  analysis: JobAnalysis,
  now: Date = new Date(),
): MatchResult {
  return matchScorer(profile, now)(analysis);
}

/**
 * `scoreMatch` for one profile against many jobs: the profile's evidence and
 * years are read once (reading them took nearly all of the time of scoring a
 * user's jobs one by one).
 */
export function matchScorer(
  profile: JsonResume,
  now: Date = new Date(),
): (analysis: JobAnalysis) => MatchResult {
  const evidence = profileEvidence(profile);
  const years = yearsOfExperience(profile, now);
  return (analysis) => {
    const terms = new Map<string, number>();
    for (const k of analysis.mustHave) if (!terms.has(k)) terms.set(k, MUST_WEIGHT);
    for (const k of [...analysis.niceToHave, ...analysis.keywords])
      if (!terms.has(k)) terms.set(k, OTHER_WEIGHT);
    let total = 0;
    let got = 0;
    const matched: string[] = [];
    const missing: string[] = [];
    for (const [term, weight] of terms) {
      total += weight;
      if (hasEvidence(evidence, term)) {
        got += weight;
        matched.push(term);
      } else {
        missing.push(term);
      }
    }
    let score = total === 0 ? 0 : (100 * got) / total;
    if (analysis.yearsMin !== null && years !== null && years < analysis.yearsMin)
      score *= YEARS_SHORTFALL_FACTOR;
    return {
      score: Math.max(0, Math.min(100, Math.round(score))),
      matched: matched.slice(0, 200),
      missing: missing.slice(0, 200),
    };
  };
}
