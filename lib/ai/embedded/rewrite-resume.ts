/**
 * Deterministic rewriting for the embedded provider: on top of the selection
 * and reordering of tailor-resume.ts, the variant's prose moves toward the
 * job's language by four reviewable rules, each citing the profile items it
 * restates (lib/ai/profile-items.ts), so that the cell's claim-level verifier
 * can check every word:
 *
 * 1. Summary: "<label> experienced in K1, K2 and K3." where the K are the
 *    job's keywords (must-have first, at most five) that the profile's skills,
 *    project keywords or texts evidence, citing the items that evidence them; then the
 *    profile's own summary, whole, when it mentions any job keyword (a cut
 *    summary could lose a hedge). `concise` keeps the first sentence only.
 * 2. Job spelling: a job keyword written in a highlight under another
 *    spelling of the same skill ("k8s", "Postgres", "golang") takes the job's
 *    spelling ("Kubernetes", "PostgreSQL", "Go").
 * 3. Keyword-first only: a highlight whose first job keyword comes after its
 *    sixth word is led by those keywords: "Kubernetes, Go: Migrated…".
 * 4. Project descriptions name the job keywords that the project's own
 *    keywords hold and the description does not: "… (built with React)".
 *
 * It never adds a number, a name, a title or a scope word; it only moves and
 * respells what the cited items already say.
 */
import type {
  Citation,
  JobAnalysis,
  JsonResume,
  TailoredResume,
  TailorStrategy,
} from '../contract.ts';
import { type ProfileItem, pointerOf, profileItems } from '../profile-items.ts';
import { SKILLS_LEXICON } from './skills-lexicon.ts';
import { tailorResume } from './tailor-resume.ts';
import { skillMatcher } from './text.ts';

const SUMMARY_KEYWORDS = 5;
/** Highlights whose first job keyword comes later than this word are led by their keywords. */
const LEAD_AFTER_WORDS = 6;
/** Aliases that are ordinary words or name a different thing than their skill. */
const NO_RESPELL = new Set(['node', 'shell', 'zsh', 'kube', 'kubectl', 'jvm', 'asm', 'less']);

type Entry = {
  name?: string;
  position?: string;
  startDate?: string;
  summary?: string;
  description?: string;
  highlights?: string[];
  keywords?: string[];
};

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function squash(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9+#]/g, '');
}

/** Aliases of each canonical skill that may be respelled as the canonical. */
const RESPELLINGS: Map<string, string[]> = new Map(
  SKILLS_LEXICON.map(([canonical, ...aliases]) => [
    canonical,
    aliases.filter((alias) => {
      if (alias.startsWith('=') || NO_RESPELL.has(alias)) return false;
      const a = squash(alias);
      const c = squash(canonical);
      return a !== c && (c.startsWith(a) || a.startsWith(c) || /\d/.test(a) || a.length <= 3);
    }),
  ]),
);

/** Rule 2: the job's spelling of each job keyword the text names another way. */
export function respell(text: string, keywords: readonly string[]): string {
  let out = text;
  for (const keyword of keywords) {
    for (const alias of RESPELLINGS.get(keyword) ?? []) {
      const pattern = new RegExp(`(?<![\\w.#+-])${escapeRegExp(alias)}(?![\\w#+]|\\.\\w)`, 'gi');
      out = out.replace(pattern, (found) => (found === keyword ? found : keyword));
    }
  }
  return out;
}

/** The job's keywords a text names (canonical), in the order the job ranks them. */
function keywordsIn(text: string, ranked: readonly string[]): string[] {
  const found = skillMatcher().find(text);
  return ranked.filter((k) => found.has(k));
}

function wordIndexOf(text: string, keyword: string): number {
  const lower = text.toLowerCase();
  const aliases = [keyword, ...(RESPELLINGS.get(keyword) ?? [])].map((a) => a.toLowerCase());
  let best = -1;
  for (const alias of aliases) {
    const at = lower.search(new RegExp(`(?<![\\w.#+-])${escapeRegExp(alias)}(?![\\w#+])`));
    if (at >= 0 && (best < 0 || at < best)) best = at;
  }
  return best < 0 ? -1 : lower.slice(0, best).split(/\s+/).filter(Boolean).length;
}

/** The profile entry a variant entry was copied from (tailoring copies them whole). */
function sourceIndex(entry: Entry, sources: readonly Entry[], used: Set<number>): number {
  return sources.findIndex(
    (s, i) =>
      !used.has(i) &&
      s.name === entry.name &&
      s.position === entry.position &&
      s.startDate === entry.startDate,
  );
}

/** Tailors `profile` to `analysis`: select and reorder, then rephrase by the rules above. */
export function tailorResumeWithRewrites(
  profile: JsonResume,
  analysis: JobAnalysis,
  strategy: TailorStrategy,
): TailoredResume {
  const variant = tailorResume(profile, analysis, strategy);
  const items = profileItems(profile);
  const byPointer = new Map(items.map((item) => [item.pointer, item]));
  const citations: Citation[] = [];
  const ranked = [
    ...new Set([...analysis.mustHave, ...analysis.niceToHave, ...analysis.keywords]),
  ].filter((k) => skillMatcher().canonicalOf(k) === k);

  const summary = composeSummary(profile, ranked, items, strategy);
  if (summary) {
    variant.basics = { ...(variant.basics ?? {}), summary: summary.text };
    citations.push({ pointer: '/basics/summary', cites: summary.cites });
  }

  for (const section of ['work', 'projects', 'volunteer'] as const) {
    const entries = (variant[section] ?? []) as Entry[];
    const sources = (profile[section] ?? []) as Entry[];
    const used = new Set<number>();
    entries.forEach((entry, index) => {
      const source = sourceIndex(entry, sources, used);
      if (source < 0) return;
      used.add(source);
      const sourceEntry = sources[source] as Entry;
      entry.highlights = entry.highlights?.map((highlight, h) => {
        const from = sourceEntry.highlights?.indexOf(highlight) ?? -1;
        const item = byPointer.get(pointerOf([section, source, 'highlights', from]));
        if (from < 0 || !item) return highlight;
        const rewritten = rewriteHighlight(highlight, ranked, strategy);
        if (rewritten === highlight) return highlight;
        citations.push({ pointer: pointerOf([section, index, 'highlights', h]), cites: [item.id] });
        return rewritten;
      });
      if (section === 'projects' && typeof entry.description === 'string') {
        const item = byPointer.get(pointerOf([section, source, 'description']));
        const facts = byPointer.get(pointerOf([section, source]));
        const own = keywordsIn((sourceEntry.keywords ?? []).join('\n'), ranked);
        const missing = own.filter((k) => !keywordsIn(entry.description ?? '', ranked).includes(k));
        if (item && facts && missing.length > 0) {
          const base = entry.description.replace(/[.\s]+$/, '');
          entry.description = `${base} (built with ${joinList(missing.slice(0, 3))}).`;
          citations.push({
            pointer: pointerOf([section, index, 'description']),
            cites: [item.id, facts.id],
          });
        }
      }
    });
  }
  return { variant, citations };
}

function rewriteHighlight(
  highlight: string,
  ranked: readonly string[],
  strategy: TailorStrategy,
): string {
  const spelled = respell(highlight, ranked);
  if (strategy !== 'keyword-first') return spelled;
  const present = keywordsIn(spelled, ranked);
  const first = present[0];
  if (!first || wordIndexOf(spelled, first) < LEAD_AFTER_WORDS) return spelled;
  return `${present.slice(0, 2).join(', ')}: ${spelled}`;
}

/** Rule 1: the job's evidenced keywords after the label, then the relevant own summary. */
function composeSummary(
  profile: JsonResume,
  ranked: readonly string[],
  items: ProfileItem[],
  strategy: TailorStrategy,
): { text: string; cites: string[] } | undefined {
  const lead =
    items.find((item) => item.kind === 'label') ??
    items.find(
      (item) => item.pointer === '/work/0' && typeof profile.work?.[0]?.position === 'string',
    );
  const leadText = lead?.kind === 'label' ? lead.text : profile.work?.[0]?.position;
  if (!lead || !leadText) return undefined;
  const cites = new Set<string>([lead.id]);
  const chosen: string[] = [];
  // Skill groups first (the profile's own list), projects' keywords, then any text naming it.
  const evidence = [
    ...items.filter((item) => item.kind === 'entry' && item.pointer.startsWith('/skills/')),
    ...items.filter((item) => item.kind === 'entry' && item.pointer.startsWith('/projects/')),
    ...items.filter((item) => item.kind !== 'entry' && item.kind !== 'label'),
  ];
  for (const keyword of ranked) {
    if (chosen.length >= SUMMARY_KEYWORDS) break;
    const source = evidence.find((item) => skillMatcher().find(item.text).has(keyword));
    if (!source) continue;
    chosen.push(keyword);
    cites.add(source.id);
  }
  if (chosen.length === 0) return undefined;
  const sentences = [`${leadText.replace(/[.\s]+$/, '')} experienced in ${joinList(chosen)}.`];
  const own = items.find((item) => item.pointer === '/basics/summary');
  if (own && strategy !== 'concise' && keywordsIn(own.text, ranked).length > 0) {
    sentences.push(own.text.trim());
    cites.add(own.id);
  }
  return { text: sentences.join(' '), cites: [...cites] };
}
