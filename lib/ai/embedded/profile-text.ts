/**
 * Reading a JSON Resume as evidence: every string it holds (for the
 * never-invent check), and the text and skills a job's keywords match against.
 */
import type { JsonResume } from '../contract.ts';
import { skillMatcher } from './text.ts';

/** Every string value anywhere in `value` (object keys excluded). */
export function collectStrings(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, out);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) collectStrings(item, out);
  return out;
}

/**
 * Strings in `variant` that do not appear verbatim anywhere in `profile`: an
 * empty list means nothing was invented.
 */
export function inventedStrings(profile: unknown, variant: unknown): string[] {
  const source = collectStrings(profile);
  return [...collectStrings(variant)].filter((s) => !source.has(s));
}

/** Lowercased text with punctuation turned to spaces, padded for whole-word `includes`. */
export function searchable(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[^a-z0-9+#./]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()} `;
}

export interface ProfileEvidence {
  skills: Set<string>;
  text: string;
}

/** The profile's skills (canonical) and searchable text, from the fields a recruiter reads. */
export function profileEvidence(profile: JsonResume): ProfileEvidence {
  const parts: string[] = [];
  const push = (value: unknown) => {
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) for (const v of value) push(v);
  };
  push(profile.basics?.label);
  push(profile.basics?.summary);
  for (const s of profile.skills ?? []) {
    push(s.name);
    push(s.keywords);
  }
  for (const w of profile.work ?? []) {
    push(w.position);
    push(w.summary);
    push(w.description);
    push(w.highlights);
  }
  for (const p of profile.projects ?? []) {
    push(p.name);
    push(p.description);
    push(p.highlights);
    push(p.keywords);
  }
  for (const v of profile.volunteer ?? []) push(v.highlights);
  for (const e of profile.education ?? []) {
    push((e as { area?: unknown }).area);
    push(e.courses);
  }
  for (const c of (profile as { certificates?: { name?: unknown }[] }).certificates ?? [])
    push(c?.name);
  const joined = parts.join('\n');
  return { skills: new Set(skillMatcher().find(joined).keys()), text: searchable(joined) };
}

/** Whether a job keyword (canonical skill or free term) is evidenced by the profile. */
export function hasEvidence(evidence: ProfileEvidence, keyword: string): boolean {
  const canonical = skillMatcher().canonicalOf(keyword);
  // A lexicon skill counts only when the profile names it (or an alias): a bare
  // substring such as "go" in prose is not evidence of Go.
  if (canonical) return evidence.skills.has(canonical);
  const needle = searchable(keyword);
  return needle.trim() !== '' && evidence.text.includes(needle);
}

/** How many of `keywords` the text evidences. */
export function relevance(text: string, keywords: readonly string[]): number {
  if (keywords.length === 0 || !text) return 0;
  const found = skillMatcher().find(text);
  const hay = searchable(text);
  let hits = 0;
  for (const keyword of keywords) {
    const canonical = skillMatcher().canonicalOf(keyword);
    if (canonical ? found.has(canonical) : hay.includes(searchable(keyword))) hits++;
  }
  return hits;
}
