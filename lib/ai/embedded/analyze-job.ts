/**
 * Deterministic job analysis: skills from the lexicon, must-have vs
 * nice-to-have from section headings and inline cues, seniority from the
 * title, minimum years, remote policy and location. No network, no model.
 */
import type { JobAnalysis, JobInput, RemotePolicy, Seniority } from '../contract.ts';
import { htmlToText, skillMatcher } from './text.ts';

type Context = 'must' | 'nice' | 'neutral';

const NICE_CUE =
  /\b(nice[- ]to[- ]haves?|bonus|preferred|pluses|desirable|good[- ]to[- ]have|extra credit|ideally|would be great|not required|a plus|is a plus|helpful|optional)\b/i;
const MUST_HEADING =
  /\b(requirements?|required|qualifications?|must[- ]haves?|what you('ll)? (bring|need|have)|you (have|bring|should have)|who you are|we('re| are) looking for|about you|minimum|basic|skills|experience|what we need|your profile)\b/i;
const NEUTRAL_HEADING =
  /\b(responsibilit(y|ies)|what you('ll| will) do|the role|about (us|the (team|company|role|job))|benefits|perks|compensation|salary|our (tech )?stack|tech stack|the team|our mission|how to apply|equal (employment )?opportunity|why join|who we are|in this role|day to day)\b/i;
const MUST_INLINE =
  /\b(must|required|requires|requirement|you have|you bring|strong|proficien(t|cy)|expert(ise)?|solid|deep|hands-on|\d+\+? years?)\b/i;

function headingContext(text: string): Context | undefined {
  if (NICE_CUE.test(text)) return 'nice';
  if (NEUTRAL_HEADING.test(text)) return 'neutral';
  if (MUST_HEADING.test(text)) return 'must';
  return undefined;
}

interface Segment {
  text: string;
  context: Context;
  /** True when the context came from a section heading rather than the default. */
  sectioned: boolean;
}

function isHeading(line: string): boolean {
  if (/^#{1,6}\s/.test(line)) return true;
  const words = line.split(/\s+/).length;
  if (words > 9 || /^[-*•·]/.test(line)) return false;
  return /:$/.test(line) || (line === line.toUpperCase() && /[A-Z]/.test(line)) || words <= 6;
}

/** Splits the description into content segments labelled with their context. */
function segment(text: string): Segment[] {
  const segments: Segment[] = [];
  let context: Context = 'neutral';
  let sectioned = false;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (!line) continue;
    const inline = /^([^:]{2,60}):\s*(\S.*)$/.exec(line);
    if (inline && !/^[-*•·]/.test(line)) {
      const heading = headingContext(inline[1] as string);
      if (heading) {
        context = heading;
        sectioned = true;
        segments.push({ text: inline[2] as string, context, sectioned });
        continue;
      }
    }
    if (isHeading(line)) {
      const heading = headingContext(line);
      if (heading) {
        context = heading;
        sectioned = true;
        continue;
      }
    }
    segments.push({ text: line, context, sectioned });
  }
  return segments;
}

function sentenceContext(sentence: string, section: Context): Context {
  if (NICE_CUE.test(sentence)) return 'nice';
  if (section === 'nice') return 'nice';
  if (section === 'must') return 'must';
  return MUST_INLINE.test(sentence) ? 'must' : 'neutral';
}

const TITLE_SENIORITY: [RegExp, Seniority][] = [
  [/\b(intern|internship|co-?op|apprentice)\b/i, 'intern'],
  [/\b(director|vp|vice president|head of|chief|cto|cio)\b/i, 'director'],
  [/\b(manager|mgr)\b/i, 'manager'],
  [/\bprincipal\b/i, 'principal'],
  [/\b(staff|distinguished)\b/i, 'staff'],
  [/\b(lead|leader)\b/i, 'lead'],
  [/\b(senior|sr\.?|snr)(?=\s|$|[^a-z])/i, 'senior'],
  [/\b(junior|jr\.?|entry[- ]level|graduate|new grad|associate)(?=\s|$|[^a-z])/i, 'junior'],
  [/\b(mid[- ]level|mid|intermediate|ii|iii)\b/i, 'mid'],
];

export function detectSeniority(title: string, yearsMin: number | null): Seniority {
  for (const [pattern, seniority] of TITLE_SENIORITY) if (pattern.test(title)) return seniority;
  if (yearsMin === null) return 'unknown';
  if (yearsMin <= 1) return 'junior';
  if (yearsMin <= 4) return 'mid';
  return 'senior';
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
};
const YEARS_PATTERN =
  /\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen)\s*(?:\+|plus)?\s*(?:(?:-|–|to)\s*\d{1,2}\s*)?\+?\s*(?:\(\d{1,2}\)\s*)?(?:years?|yrs?)\b(.{0,60})/gi;
const EXPERIENCE_CONTEXT =
  /^\W*(of|in|with|'|’|experience|professional|industry|hands|building|working|software|relevant|production|commercial|progressive|related|post)/i;

/** The years of experience asked for: the largest lower bound outside nice-to-have text. */
export function detectYears(segments: { text: string; context: Context }[]): number | null {
  let best: number | null = null;
  for (const { text, context } of segments) {
    if (context === 'nice' || NICE_CUE.test(text)) continue;
    for (const match of text.matchAll(YEARS_PATTERN)) {
      const word = (match[1] as string).toLowerCase();
      const value = NUMBER_WORDS[word] ?? Number.parseInt(word, 10);
      const after = match[2] ?? '';
      if (!EXPERIENCE_CONTEXT.test(after) && !/experience/i.test(text)) continue;
      if (!Number.isFinite(value) || value > 30) continue;
      best = best === null ? value : Math.max(best, value);
    }
  }
  return best;
}

export function detectRemote(text: string, location: string | null): RemotePolicy {
  const haystack = `${location ?? ''}\n${text}`;
  if (/\bhybrid\b|\b\d\s*days?\s*(a|per)\s*week\s*(in|at)\s*(the\s*)?office/i.test(haystack))
    return 'hybrid';
  if (
    /\b(not|no)\s+(a\s+)?remote\b|\bremote\s+(is\s+)?not\s+(possible|available|an option)/i.test(
      haystack,
    )
  )
    return 'onsite';
  if (/\b(fully[- ]remote|remote[- ]first|100% remote|work from anywhere|remote)\b/i.test(haystack))
    return 'remote';
  if (/\b(on-?site|in[- ]office|in[- ]person|office[- ]based)\b/i.test(haystack)) return 'onsite';
  return 'unknown';
}

function detectLocation(job: JobInput, text: string): string | null {
  const given = job.location?.trim();
  if (given) return given.slice(0, 300);
  const line = /^(?:location|based in|office|where)\s*:\s*(.{2,120})$/im.exec(text);
  return line ? (line[1] as string).trim() : null;
}

const LIMITS = { mustHave: 25, niceToHave: 25, keywords: 40 };

/** Analyzes a job posting deterministically. Same input, same output. */
export function analyzeJob(job: JobInput): JobAnalysis {
  const matcher = skillMatcher();
  const text = htmlToText(job.description);
  const segments = segment(text);
  const weight = new Map<string, { must: number; nice: number; other: number; first: number }>();
  let order = 0;
  const anySectionMust = segments.some((s) => s.context === 'must');
  for (const seg of segments) {
    for (const sentence of seg.text.split(/(?<=[.!?;])\s+/)) {
      let context = sentenceContext(sentence, seg.context);
      // A posting without a requirements section states its requirements in prose.
      if (context === 'neutral' && !anySectionMust && !seg.sectioned) context = 'must';
      for (const [skill, count] of matcher.find(sentence)) {
        const entry = weight.get(skill) ?? { must: 0, nice: 0, other: 0, first: order++ };
        if (context === 'must') entry.must += count;
        else if (context === 'nice') entry.nice += count;
        else entry.other += count;
        weight.set(skill, entry);
      }
    }
  }
  for (const [skill, count] of matcher.find(job.title)) {
    const entry = weight.get(skill) ?? { must: 0, nice: 0, other: 0, first: order++ };
    entry.must += count;
    weight.set(skill, entry);
  }
  const all = [...weight.entries()];
  const byStrength = (
    key: 'must' | 'nice' | 'other',
  ): ((a: (typeof all)[number], b: (typeof all)[number]) => number) => {
    return (a, b) => b[1][key] - a[1][key] || a[1].first - b[1].first;
  };
  const mustHave = all
    .filter(([, w]) => w.must > 0)
    .sort(byStrength('must'))
    .map(([s]) => s);
  const mustSet = new Set(mustHave);
  const niceToHave = all
    .filter(([s, w]) => w.nice > 0 && !mustSet.has(s))
    .sort(byStrength('nice'))
    .map(([s]) => s);
  const niceSet = new Set(niceToHave);
  const others = all
    .filter(([s]) => !mustSet.has(s) && !niceSet.has(s))
    .sort((a, b) => b[1].other - a[1].other || a[1].first - b[1].first)
    .map(([s]) => s);
  const yearsMin = detectYears(segments);
  const location = detectLocation(job, text);
  return {
    title: job.title.trim().replace(/\s+/g, ' '),
    seniority: detectSeniority(job.title, yearsMin),
    mustHave: mustHave.slice(0, LIMITS.mustHave),
    niceToHave: niceToHave.slice(0, LIMITS.niceToHave),
    keywords: [...mustHave, ...niceToHave, ...others].slice(0, LIMITS.keywords),
    yearsMin,
    location,
    remote: detectRemote(text, location),
  };
}
