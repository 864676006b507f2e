/**
 * The embedded provider's cover letter: deterministic, written only from
 * profile facts that the job asks for and from the posting itself, each
 * sentence citing what it restates (profile items, or `job:` items of the
 * posting), so the cell's claim verifier can check every word:
 *
 * 1. The role: "I am applying for the <title> position at <company>." (citing
 *    the posting's title and company), then "The role asks for K1, K2 and K3."
 *    with the posting's must-have keywords, citing the posting's sentences that
 *    name them.
 * 2. The fit: "As a <label>, I have worked with K1 and K2." with the job's
 *    keywords that the profile evidences (skill groups, project keywords,
 *    texts), citing the label and the evidence; then up to two highlights that
 *    name job keywords, verbatim, introduced by the role they belong to:
 *    "In my role as <position> at <employer>: <highlight>". When the profile
 *    evidences none of the job's keywords, the first highlights of the work
 *    history (or the profile's summary) stand in, verbatim.
 * 3. The close: "I would like to bring my experience with K1 and K2 to this
 *    role." (citing the evidence) and a courtesy sentence.
 *
 * It never states a number, name, title or scope word that the cited items do
 * not; highlights are copied whole, so their hedges stay.
 */
import type {
  CoverLetter,
  JobAnalysis,
  JobInput,
  JsonResume,
  LetterSentence,
} from '../contract.ts';
import { COURTESY_SENTENCES, jobItems } from '../job-items.ts';
import { type ProfileItem, profileItems } from '../profile-items.ts';
import { skillMatcher } from './text.ts';

const ROLE_KEYWORDS = 4;
const FIT_KEYWORDS = 5;
const HIGHLIGHTS = 2;

function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** The job's keywords, canonical skills only, must-have first. */
function rankedKeywords(analysis: JobAnalysis): string[] {
  const matcher = skillMatcher();
  return [...new Set([...analysis.mustHave, ...analysis.niceToHave, ...analysis.keywords])].filter(
    (k) => matcher.canonicalOf(k) === k,
  );
}

/** Writes the letter's paragraphs for `profile` and the posting `job` analysed as `analysis`. */
export function writeCoverLetter(
  profile: JsonResume,
  analysis: JobAnalysis,
  job: JobInput,
): CoverLetter {
  const matcher = skillMatcher();
  const ranked = rankedKeywords(analysis);
  const posting = jobItems(job);
  const items = profileItems(profile);
  const paragraphs: { sentences: LetterSentence[] }[] = [];

  // 1. The role, from the posting.
  const role: LetterSentence[] = [];
  const title = posting.find((item) => item.kind === 'title');
  const company = posting.find((item) => item.kind === 'company');
  if (title) {
    role.push({
      text: company
        ? `I am applying for the ${title.text} position at ${company.text}.`
        : `I am applying for the ${title.text} position.`,
      cites: company ? [title.id, company.id] : [title.id],
    });
  }
  const sentences = posting.filter((item) => item.kind === 'sentence');
  const asked: string[] = [];
  const askedCites = new Set<string>();
  for (const keyword of ranked) {
    if (asked.length >= ROLE_KEYWORDS) break;
    const source = sentences.find((item) => matcher.find(item.text).has(keyword));
    if (!source) continue;
    asked.push(keyword);
    askedCites.add(source.id);
  }
  if (asked.length > 0) {
    role.push({ text: `The role asks for ${joinList(asked)}.`, cites: [...askedCites] });
  }
  if (role.length > 0) paragraphs.push({ sentences: role });

  // 2. The fit, from the profile.
  const evidence = [
    ...items.filter((item) => item.kind === 'entry' && item.pointer.startsWith('/skills/')),
    ...items.filter((item) => item.kind === 'entry' && item.pointer.startsWith('/projects/')),
    ...items.filter((item) => item.kind !== 'entry' && item.kind !== 'label'),
  ];
  const fit: string[] = [];
  const fitCites = new Set<string>();
  for (const keyword of ranked) {
    if (fit.length >= FIT_KEYWORDS) break;
    const source = evidence.find((item) => matcher.find(item.text).has(keyword));
    if (!source) continue;
    fit.push(keyword);
    fitCites.add(source.id);
  }
  const candidate: LetterSentence[] = [];
  const label = items.find((item) => item.kind === 'label');
  if (label && fit.length > 0) {
    const text = label.text.trim().replace(/[.\s]+$/, '');
    candidate.push({
      text: `As ${article(text)} ${text}, I have worked with ${joinList(fit)}.`,
      cites: [label.id, ...fitCites],
    });
  } else if (fit.length > 0) {
    candidate.push({ text: `I have worked with ${joinList(fit)}.`, cites: [...fitCites] });
  }
  const entries = new Map(items.filter((i) => i.kind === 'entry').map((i) => [i.entry, i]));
  const highlights = items
    .filter((item) => item.kind === 'highlight' && item.entry.startsWith('/work/'))
    .map((item, index) => ({
      item,
      index,
      score: ranked.filter((k) => matcher.find(item.text).has(k)).length,
    }))
    .filter((h) => h.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, HIGHLIGHTS);
  for (const { item } of highlights) {
    candidate.push(highlightSentence(profile, item, entries.get(item.entry)));
  }
  if (candidate.length === 0) {
    // The profile evidences none of the job's keywords: the letter still says what the
    // candidate has done, with the first highlights of their work as written (or, without
    // any, their own summary), so it keeps its three paragraphs and invents nothing.
    const own = items.filter(
      (item) => item.kind === 'highlight' && item.entry.startsWith('/work/'),
    );
    for (const item of own.slice(0, HIGHLIGHTS)) {
      candidate.push(highlightSentence(profile, item, entries.get(item.entry)));
    }
    const summary = items.find((item) => item.kind === 'summary' && item.entry === '/basics');
    if (candidate.length === 0 && summary) {
      candidate.push({ text: sentence(summary.text), cites: [summary.id] });
    }
  }
  if (candidate.length > 0) paragraphs.push({ sentences: candidate });

  // 3. The close.
  const close: LetterSentence[] = [];
  if (fit.length > 0) {
    const named = fit.slice(0, 2);
    const cites = [...fitCites].filter((id) => {
      const text = items.find((i) => i.id === id)?.text ?? '';
      return named.some((k) => matcher.find(text).has(k));
    });
    close.push({
      text: `I would like to bring my experience with ${joinList(named)} to this role.`,
      cites,
    });
  }
  close.push({ text: COURTESY_SENTENCES[0], cites: [] });
  paragraphs.push({ sentences: close });
  return { paragraphs };
}

function highlightSentence(
  profile: JsonResume,
  item: ProfileItem,
  entry: ProfileItem | undefined,
): LetterSentence {
  const index = Number(item.entry.split('/')[2]);
  const work = profile.work?.[index];
  const position = typeof work?.position === 'string' ? work.position.trim() : '';
  const employer = typeof work?.name === 'string' ? work.name.trim() : '';
  const lead =
    position && employer
      ? `In my role as ${position} at ${employer}: `
      : employer
        ? `At ${employer}: `
        : position
          ? `In my role as ${position}: `
          : '';
  return {
    text: sentence(`${lead}${item.text}`),
    cites: entry && lead ? [item.id, entry.id] : [item.id],
  };
}
