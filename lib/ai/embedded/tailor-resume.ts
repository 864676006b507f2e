/**
 * Deterministic tailoring: a variant of the profile whose skills, work entries,
 * projects and highlights are reordered (and, for `concise`, selected) so that
 * the job's keywords come first. It only copies, reorders and drops: every
 * string in the variant is a string of the profile.
 */
import type { JobAnalysis, JsonResume, TailorStrategy } from '../contract.ts';
import { relevance } from './profile-text.ts';

const MUST_WEIGHT = 3;
/** Highlights kept per entry by `concise`: the first two entries, then the rest. */
const CONCISE_HIGHLIGHTS = { leading: 3, rest: 2, leadingEntries: 2 };
const CONCISE_PROJECTS = 3;
const ACTION_VERB =
  /^(led|built|designed|launched|shipped|reduced|increased|improved|cut|grew|scaled|created|delivered|migrated|architected|automated|optimi[sz]ed|owned|drove|developed|implemented|mentored|founded|won|saved)\b/i;

type Scorer = (text: string) => number;

function scorerFor(analysis: JobAnalysis): Scorer {
  const must = [...new Set(analysis.mustHave)];
  const mustSet = new Set(must);
  const rest = [...new Set([...analysis.niceToHave, ...analysis.keywords])].filter(
    (k) => !mustSet.has(k),
  );
  return (text) => MUST_WEIGHT * relevance(text, must) + relevance(text, rest);
}

/** Stable sort by descending score. */
function byScore<T>(items: readonly T[], score: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index, score: score(item) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(({ item }) => item);
}

/** Measurable results first (numbers, then action verbs); keyword relevance breaks ties. */
function impact(text: string): number {
  const numbers = /\d|%|\$|€|£/.test(text) ? 3 : 0;
  const verb = ACTION_VERB.test(text.trim()) ? 1 : 0;
  return numbers + verb;
}

function orderHighlights(
  highlights: string[] | undefined,
  strategy: TailorStrategy,
  score: Scorer,
  keep: number,
): string[] | undefined {
  if (!highlights) return highlights;
  if (strategy === 'impact-first') return byScore(highlights, (h) => impact(h) * 100 + score(h));
  const ordered = byScore(highlights, (h) => score(h) * 10 + impact(h));
  return strategy === 'concise' ? ordered.slice(0, keep) : ordered;
}

function entryText(entry: {
  position?: string;
  name?: string;
  summary?: string;
  description?: string;
  highlights?: string[];
  keywords?: string[];
}): string {
  return [
    entry.position,
    entry.name,
    entry.summary,
    entry.description,
    ...(entry.highlights ?? []),
    ...(entry.keywords ?? []),
  ]
    .filter((s): s is string => typeof s === 'string')
    .join('\n');
}

function keepFor(index: number): number {
  return index < CONCISE_HIGHLIGHTS.leadingEntries
    ? CONCISE_HIGHLIGHTS.leading
    : CONCISE_HIGHLIGHTS.rest;
}

/** Tailors `profile` to `analysis` by reordering and selecting only. */
export function tailorResume(
  profile: JsonResume,
  analysis: JobAnalysis,
  strategy: TailorStrategy,
): JsonResume {
  const score = scorerFor(analysis);
  const variant = structuredClone(profile);

  if (variant.skills) {
    let groups = variant.skills.map((group) => {
      if (!group.keywords) return group;
      const ordered = byScore(group.keywords, score);
      const relevant = ordered.filter((k) => score(k) > 0);
      const keywords = strategy === 'concise' && relevant.length > 0 ? relevant : ordered;
      return { ...group, keywords };
    });
    groups = byScore(groups, (g) => score([g.name ?? '', ...(g.keywords ?? [])].join('\n')));
    if (strategy === 'concise') {
      const relevant = groups.filter(
        (g) => score([g.name ?? '', ...(g.keywords ?? [])].join('\n')) > 0,
      );
      if (relevant.length > 0) groups = relevant;
    }
    variant.skills = groups;
  }

  if (variant.work) {
    // keyword-first leads with the most relevant role; the others keep the profile's (usually
    // reverse-chronological) order, which recruiters expect.
    const work =
      strategy === 'keyword-first'
        ? byScore(variant.work, (w) => score(entryText(w)))
        : variant.work;
    variant.work = work.map((entry, index) => {
      const highlights = orderHighlights(entry.highlights, strategy, score, keepFor(index));
      return highlights === undefined ? entry : { ...entry, highlights };
    });
  }

  if (variant.projects) {
    let projects =
      strategy === 'impact-first'
        ? variant.projects
        : byScore(variant.projects, (p) => score(entryText(p)));
    if (strategy === 'concise') projects = projects.slice(0, CONCISE_PROJECTS);
    variant.projects = projects.map((entry, index) => {
      const highlights = orderHighlights(entry.highlights, strategy, score, keepFor(index));
      return highlights === undefined ? entry : { ...entry, highlights };
    });
  }
  return variant;
}
