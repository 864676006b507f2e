/**
 * The claim-level verifier: checks one rewritten text of a tailored variant
 * against the profile items it cites (lib/ai/profile-items.ts). Every sentence
 * of the text must pass every rule against its evidence: the cited items plus
 * the facts of their entries (employer, title, dates, location, keywords).
 *
 * | rule            | a sentence may only…                                                  |
 * |-----------------|-----------------------------------------------------------------------|
 * | citation        | cite known items, at least one, of its own entry (summaries: any)      |
 * | number          | state numbers, amounts, percentages, durations that the evidence states |
 * | date            | name a month and year that the evidence dates                          |
 * | skill           | name skills/technologies of the evidence or of the profile's skills     |
 * | title           | use title words (senior, director, head of…) that the evidence uses     |
 * | credential      | name degrees and certifications of the evidence or the profile          |
 * | award           | mention recognition (award, prize, won…) that the evidence mentions     |
 * | entity          | name people, organisations and places that the profile names            |
 * | scope           | claim scope (led, owned, sole…) the evidence claims; keep its hedges   |
 * | team_size       | give a team size the evidence gives                                   |
 * | job_claim       | (cover letters) speak of the candidate citing profile items, not only the posting |
 *
 * Cover letters (`checkLetterSentence`) add a second citation source: items
 * of the job posting (`job:…`, lib/ai/job-items.ts). A sentence that cites
 * profile items is checked as above against them alone (the posting is no
 * evidence of the candidate). A sentence that cites only the posting must not
 * be in the first person (bar the one framing sentence "I am applying for the
 * <title> position at <company>.") and is checked by the same rules against
 * the cited posting items only, without the profile's words, skills or
 * credentials to fall back on: the company is described as its posting does.
 * The courtesy sentences of job-items.ts are the only ones that cite nothing.
 *
 * The word lists are in claim-lexicon.ts. Named entities are found with
 * compromise's tagger plus a capitalisation rule for words it does not know.
 */
import nlp from 'compromise';
import { skillMatcher } from '../../../lib/ai/embedded/index.ts';
import {
  isCourtesySentence,
  JOB_ITEM_PREFIX,
  type JobItem,
  type JobPostingText,
  jobItems,
} from '../../../lib/ai/job-items.ts';
import { type ProfileItem, profileItems } from '../../../lib/ai/profile-items.ts';
import {
  AWARD_PATTERN,
  awardStem,
  CREDENTIAL_ACRONYMS,
  CREDENTIAL_PATTERN,
  HEDGE_PHRASES,
  HEDGES,
  MONTHS,
  NUMBER_WORDS,
  PEOPLE_NOUNS,
  SCOPE_FAMILIES,
  SCOPE_IMPLIED_BY,
  type ScopeFamily,
  TITLE_PATTERN,
} from './claim-lexicon.ts';

export type ClaimRule =
  | 'no_citation'
  | 'unknown_citation'
  | 'foreign_citation'
  | 'number'
  | 'date'
  | 'skill'
  | 'title'
  | 'credential'
  | 'award'
  | 'entity'
  | 'scope'
  | 'team_size'
  | 'job_claim';

export interface ClaimFinding {
  rule: ClaimRule;
  /** The words of the rewrite that broke the rule. */
  offending: string[];
  reason: string;
  /** The sentence they are in. */
  sentence: string;
}

// ---- reading text --------------------------------------------------------------------------

const NUMBER_PATTERN =
  /(?<![\p{L}\p{N}_.])([$€£¥])?\s?(\d+(?:[.,]\d+)*)(?:\s?(%|percent\b|per cent\b|k\b|m\b|mm\b|bn\b|b\b|x\b|million\b|billion\b|thousand\b))?/giu;
const MULTIPLIERS: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mm: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
};

/** Numbers as values: `$1.2M` and `$1,200,000` → `1200000`, `40 percent` → `40%`. */
export function numberValues(text: string): { word: string; value: string }[] {
  const out: { word: string; value: string }[] = [];
  // An ISO date states its year; its month and day are not quantities (see monthKeys).
  const plain = text.normalize('NFC').replace(/\b(\d{4})-\d{2}(?:-\d{2})?\b/g, '$1');
  for (const match of plain.matchAll(NUMBER_PATTERN)) {
    const digits = (match[2] ?? '').replace(/,(?=\d{3}\b)/g, '').replace(',', '.');
    const unit = (match[3] ?? '').toLowerCase();
    let value = Number.parseFloat(digits);
    if (!Number.isFinite(value)) continue;
    value *= MULTIPLIERS[unit] ?? 1;
    const suffix = unit === '%' || unit.includes('cent') ? '%' : unit === 'x' ? 'x' : '';
    out.push({ word: match[0].trim(), value: `${Number(value.toPrecision(12))}${suffix}` });
  }
  for (const match of text.toLowerCase().matchAll(/\b([a-z]+)(?:[- ](percent|%))?/g)) {
    const value = NUMBER_WORDS[match[1] as string];
    if (value === undefined) continue;
    out.push({ word: match[0], value: `${value}${match[2] ? '%' : ''}` });
  }
  return out;
}

const MONTH_YEAR = new RegExp(`\\b(${MONTHS.join('|')}|[a-z]{3})\\.? (\\d{4})\\b`, 'gi');

/** `March 2019` and `2019-03` → `2019-03`. */
export function monthKeys(text: string): { word: string; key: string }[] {
  const out: { word: string; key: string }[] = [];
  for (const match of text.matchAll(MONTH_YEAR)) {
    const name = (match[1] as string).toLowerCase();
    const index = MONTHS.findIndex((m) => m === name || (name.length === 3 && m.startsWith(name)));
    if (index < 0) continue;
    out.push({ word: match[0], key: `${match[2]}-${String(index + 1).padStart(2, '0')}` });
  }
  for (const match of text.matchAll(/\b(\d{4})-(\d{2})\b/g)) {
    out.push({ word: match[0], key: `${match[1]}-${match[2]}` });
  }
  return out;
}

const TEAM_PATTERNS = [
  /\b(?:team|group|squad|organi[sz]ation|org|crew)\s+of\s+(?:about\s+|around\s+|up to\s+)?([0-9]+|[a-z]+)\b/gi,
  /\b([0-9]+|[a-z]+)[- ](?:person|people|member|engineer|strong)\b/gi,
  new RegExp(
    `\\b([0-9]+|[a-z]+)\\s+(?:[a-z]+\\s+)?(?:${PEOPLE_NOUNS})\\b(?![- ](?:services?|users?|customers?))`,
    'gi',
  ),
];

/** Team sizes stated in a text, as numbers. */
export function teamSizes(text: string): { word: string; value: number }[] {
  const out: { word: string; value: number }[] = [];
  for (const pattern of TEAM_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const raw = (match[1] as string).toLowerCase();
      const value = /^\d+$/.test(raw) ? Number(raw) : NUMBER_WORDS[raw];
      if (value === undefined || value === 0.5) continue;
      out.push({ word: match[0], value });
    }
  }
  return out;
}

function words(text: string): string[] {
  return (
    text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’+#.-]*[\p{L}\p{N}+#]|[\p{L}\p{N}]/gu) ?? []
  );
}

function wordSet(text: string): Set<string> {
  const set = new Set<string>();
  for (const word of words(text)) {
    set.add(word);
    for (const part of word.split(/[-.'’]/)) if (part) set.add(part);
  }
  return set;
}

function normalizeCredential(word: string): string {
  return word.toLowerCase().replace(/[.\s']/g, '');
}

function credentials(text: string): string[] {
  return [...text.matchAll(CREDENTIAL_PATTERN), ...text.matchAll(CREDENTIAL_ACRONYMS)].map((m) =>
    normalizeCredential(m[0]),
  );
}

function titleWords(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(TITLE_PATTERN)) {
    const phrase = match[0]
      .toLowerCase()
      .replace(/\bsr\.?/, 'senior')
      .replace(/\bjr\.?/, 'junior');
    out.push(phrase);
  }
  return out;
}

/** Scope words of a text, whole words only: "co-led" is a hedge, not "led". */
function scopeWords(text: string): Set<string> {
  return new Set(words(text));
}

function scopeFamilies(set: Set<string>): Map<ScopeFamily, string> {
  const found = new Map<ScopeFamily, string>();
  for (const [family, list] of Object.entries(SCOPE_FAMILIES) as [ScopeFamily, readonly string[]][])
    for (const word of list) if (set.has(word) && !found.has(family)) found.set(family, word);
  return found;
}

const STOP = new Set(['with', 'from', 'that', 'this', 'into', 'over', 'their', 'which', 'than']);

/** Content words two texts share, by a crude stem ("migrated", "migrate" → "migrat"). */
function sharedStems(a: string, b: string): number {
  const stems = (text: string) =>
    new Set(
      words(text)
        .filter((w) => w.length > 3 && !STOP.has(w) && skillMatcher().canonicalOf(w) === undefined)
        .map((w) => w.replace(/(ing|ed|es|e|s)$/, '')),
    );
  const left = stems(a);
  return [...stems(b)].filter((w) => left.has(w)).length;
}

export function hedgeOf(text: string): string | undefined {
  const set = wordSet(text);
  const word = HEDGES.find((h) => set.has(h));
  if (word) return word;
  return HEDGE_PHRASES.map((p) => p.exec(text)?.[0]).find((m) => m !== undefined);
}

const AWARD_WORD = new RegExp(`^(?:${AWARD_PATTERN.source})$`, 'i');

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

export function sentencesOf(text: string): string[] {
  return [...segmenter.segment(text)].map((s) => s.segment.trim()).filter((s) => s !== '');
}

/** Words compromise tags as names, plus capitalised words that are not a sentence's first. */
function entityCandidates(sentence: string): string[] {
  const out: string[] = [];
  const terms = nlp(sentence).terms().json() as {
    text: string;
    terms: { text: string; tags: string[] }[];
  }[];
  terms.forEach((term, index) => {
    const info = term.terms[0];
    if (!info) return;
    const word = info.text
      .replace(/['’]s$/u, '')
      .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}+#]+$/gu, '');
    if (!word) return;
    const tags = new Set(info.tags);
    // "I", and letter pairs such as "A/B", are no names.
    if (tags.has('Pronoun') || /^\p{Lu}(\/\p{Lu})+$/u.test(word) || word === 'I') return;
    const named =
      tags.has('Person') ||
      tags.has('Place') ||
      tags.has('Organization') ||
      (tags.has('ProperNoun') && !tags.has('Verb') && index > 0) ||
      (index > 0 && /^\p{Lu}/u.test(word) && !/[:;—–]$/.test(terms[index - 1]?.text ?? ''));
    if (named) out.push(word);
  });
  return out;
}

// ---- the checker ---------------------------------------------------------------------------

interface Evidence {
  text: string;
  words: Set<string>;
  numbers: Set<string>;
  months: Set<string>;
  teams: Set<number>;
  skills: Set<string>;
  titles: string;
  credentials: Set<string>;
  awards: Set<string>;
  scope: Set<ScopeFamily>;
  /** Cited prose items that hedge ("helped…"), with their hedge word. */
  hedged: { text: string; hedge: string }[];
}

export interface CheckInput {
  text: string;
  cites: readonly string[];
  /** The entry the text belongs to (`/work/2`); undefined: any entry may be cited (the summary). */
  entry: string | undefined;
}

/** Checks rewritten texts against one profile version's items. Build once per profile. */
export class ClaimChecker {
  readonly items: Map<string, ProfileItem>;
  private readonly entries = new Map<string, ProfileItem>();
  private readonly profileWords: Set<string>;
  private readonly profileSkills: Set<string>;
  private readonly profileCredentials: Set<string>;
  /** The posting's items, for cover letters (empty when no posting is given). */
  readonly jobItems: Map<string, JobItem>;
  private readonly job: JobPostingText | undefined;

  constructor(profile: unknown, job?: JobPostingText) {
    this.job = job;
    this.jobItems = new Map((job ? jobItems(job) : []).map((item) => [item.id, item]));
    const items = profileItems(profile);
    this.items = new Map(items.map((item) => [item.id, item]));
    for (const item of items) if (item.kind === 'entry') this.entries.set(item.entry, item);
    this.profileWords = wordSet(collectText(profile));
    const record = (profile ?? {}) as Record<string, unknown>;
    const matcher = skillMatcher();
    this.profileSkills = new Set(matcher.find(collectText(record.skills)).keys());
    this.profileCredentials = new Set([
      ...credentials(collectText(record.education)),
      ...credentials(collectText(record.certificates)),
    ]);
  }

  /** Findings of every rule the text breaks; empty when it is supported by what it cites. */
  check(input: CheckInput): ClaimFinding[] {
    const whole = input.text;
    if (input.cites.length === 0) {
      return [finding('no_citation', [], 'the sentence cites no profile item', whole)];
    }
    const unknown = input.cites.filter((id) => !this.items.has(id));
    if (unknown.length > 0) {
      return [
        finding('unknown_citation', unknown, 'it cites items that are not in the profile', whole),
      ];
    }
    const cited = input.cites.map((id) => this.items.get(id) as ProfileItem);
    if (input.entry !== undefined) {
      const foreign = cited.filter((item) => item.entry !== input.entry);
      if (foreign.length > 0) {
        return [
          finding(
            'foreign_citation',
            foreign.map((item) => item.id),
            `it cites items of another entry than ${input.entry}`,
            whole,
          ),
        ];
      }
    }
    const evidence = this.evidenceOf(cited, input.entry);
    const findings: ClaimFinding[] = [];
    // A rewrite of a hedged item keeps a hedge. An entry's text restates its cited items
    // as a whole; a summary sentence restates a hedged item when it shares its content.
    const restated =
      input.entry !== undefined
        ? [whole]
        : sentencesOf(whole).filter((sentence) =>
            evidence.hedged.some((item) => sharedStems(sentence, item.text) >= 2),
          );
    for (const text of restated) {
      const source = evidence.hedged.find(
        (item) => input.entry !== undefined || sharedStems(text, item.text) >= 2,
      );
      if (source && hedgeOf(text) === undefined) {
        findings.push(
          finding(
            'scope',
            [],
            `the source says "${source.hedge}"; the rewrite drops it and claims more`,
            text,
          ),
        );
      }
    }
    for (const sentence of sentencesOf(whole))
      findings.push(...this.checkSentence(sentence, evidence));
    return findings;
  }

  private evidenceOf(cited: ProfileItem[], entry: string | undefined): Evidence {
    const texts = new Set<string>();
    for (const item of cited) {
      texts.add(item.text);
      const facts = this.entries.get(item.entry);
      if (facts) texts.add(facts.text);
    }
    if (entry !== undefined) {
      const facts = this.entries.get(entry);
      if (facts) texts.add(facts.text);
    }
    return evidenceOfTexts(
      [...texts],
      cited.filter((item) => item.kind !== 'entry' && item.kind !== 'label'),
    );
  }

  /**
   * Findings for one sentence of a cover letter citing `cites` (profile item
   * ids and `job:` item ids); empty when the sentence may go out.
   */
  checkLetterSentence(text: string, cites: readonly string[]): ClaimFinding[] {
    if (cites.length === 0) {
      return isCourtesySentence(text)
        ? []
        : [finding('no_citation', [], 'the sentence cites neither profile nor job items', text)];
    }
    const unknown = cites.filter((id) => !this.items.has(id) && !this.jobItems.has(id));
    if (unknown.length > 0) {
      return [
        finding(
          'unknown_citation',
          unknown,
          'it cites items of neither the profile nor the job',
          text,
        ),
      ];
    }
    const profileCites = cites.filter((id) => !id.startsWith(JOB_ITEM_PREFIX));
    if (profileCites.length > 0) {
      // About the candidate: the profile items are the only evidence.
      return this.check({ text, cites: profileCites, entry: undefined });
    }
    const cited = cites.map((id) => this.jobItems.get(id) as JobItem);
    const firstPerson = [...wordSet(text)].filter((w) => FIRST_PERSON.has(w));
    if (firstPerson.length > 0 && !this.isFraming(text)) {
      return [
        finding(
          'job_claim',
          firstPerson,
          'a sentence about the candidate must cite profile items; the posting is no evidence of them',
          text,
        ),
      ];
    }
    // About the company or the role: the cited posting items, with its title and company.
    const texts = new Set(cited.map((item) => item.text));
    for (const item of this.jobItems.values())
      if (item.kind === 'title' || item.kind === 'company') texts.add(item.text);
    const evidence = evidenceOfTexts([...texts], []);
    const masked = this.maskJob(text);
    return sentencesOf(masked).flatMap((s) => this.checkSentence(s, evidence, 'job'));
  }

  /** The posting's title and company replaced by neutral words. */
  private maskJob(text: string): string {
    let out = text;
    for (const value of [this.job?.title, this.job?.company]) {
      const trimmed = value?.trim();
      if (trimmed) out = out.split(trimmed).join(value === this.job?.title ? 'role' : 'company');
    }
    return out;
  }

  /** "I am applying for the <title> position at <company>." and nothing more. */
  private isFraming(text: string): boolean {
    return /^I am (?:writing to apply|applying) for the role (?:role|position)(?: at company)?\.?$/.test(
      this.maskJob(text.trim()),
    );
  }

  /**
   * `source` 'job': a sentence about the company, checked against the posting
   * only (the profile's words, skills and credentials are no evidence of it).
   */
  private checkSentence(
    sentence: string,
    evidence: Evidence,
    source: 'profile' | 'job' = 'profile',
  ): ClaimFinding[] {
    const profile = source === 'profile';
    const findings: ClaimFinding[] = [];
    const add = (rule: ClaimRule, offending: string[], reason: string) => {
      if (offending.length > 0) findings.push(finding(rule, unique(offending), reason, sentence));
    };

    add(
      'number',
      numberValues(sentence)
        .filter((n) => !evidence.numbers.has(n.value))
        .map((n) => n.word),
      'numbers that the cited items do not state',
    );
    add(
      'date',
      monthKeys(sentence)
        .filter((m) => !evidence.months.has(m.key))
        .map((m) => m.word),
      'dates that the cited items do not give',
    );
    const matcher = skillMatcher();
    const skills = [...matcher.find(sentence).keys()];
    add(
      'skill',
      skills.filter((s) => !evidence.skills.has(s) && !(profile && this.profileSkills.has(s))),
      "skills that neither the cited items nor the profile's skills show",
    );
    add(
      'title',
      titleWords(sentence).filter(
        (t) =>
          !new RegExp(`\\b${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(evidence.titles),
      ),
      'title words that the cited entries do not hold',
    );
    add(
      'credential',
      credentials(sentence).filter(
        (c) => !evidence.credentials.has(c) && !(profile && this.profileCredentials.has(c)),
      ),
      'degrees or certifications that the profile does not list',
    );
    add(
      'award',
      [...sentence.matchAll(AWARD_PATTERN)]
        .map((m) => m[0])
        .filter((w) => !evidence.awards.has(awardStem(w))),
      'recognition that the cited items do not mention',
    );
    const scope: string[] = [];
    for (const [family, word] of scopeFamilies(scopeWords(sentence))) {
      if (!SCOPE_IMPLIED_BY[family].some((f) => evidence.scope.has(f))) scope.push(word);
    }
    add('scope', scope, 'scope (lead, own, sole…) that the cited items do not claim');
    add(
      'team_size',
      teamSizes(sentence)
        .filter((t) => !evidence.teams.has(t.value))
        .map((t) => t.word),
      'a team size that the cited items do not give',
    );
    const skillWords = new Set(skills.flatMap((s) => words(s)));
    add(
      'entity',
      entityCandidates(sentence).filter((word) => {
        const lower = word.toLowerCase();
        if ((profile && this.profileWords.has(lower)) || evidence.words.has(lower)) return false;
        if (skillWords.has(lower) || matcher.canonicalOf(word) !== undefined) return false;
        // Titles, credentials, awards and months have rules of their own.
        return !(
          titleWords(word).length > 0 ||
          credentials(word).length > 0 ||
          AWARD_WORD.test(word) ||
          (MONTHS as readonly string[]).includes(lower)
        );
      }),
      'names (people, organisations, places) that the profile does not contain',
    );
    return findings;
  }
}

const FIRST_PERSON = new Set([
  'i',
  'me',
  'my',
  'mine',
  'myself',
  "i'm",
  "i've",
  "i'd",
  "i'll",
  'we',
  'our',
  'us',
]);

function evidenceOfTexts(texts: readonly string[], prose: readonly ProfileItem[]): Evidence {
  const text = texts.join('\n');
  const set = wordSet(text);
  return {
    text,
    words: set,
    numbers: new Set(numberValues(text).map((n) => n.value)),
    months: new Set(monthKeys(text).map((m) => m.key)),
    teams: new Set(teamSizes(text).map((t) => t.value)),
    skills: new Set(skillMatcher().find(text).keys()),
    titles: text
      .toLowerCase()
      .replace(/\bsr\.?/g, 'senior')
      .replace(/\bjr\.?/g, 'junior'),
    credentials: new Set(credentials(text)),
    awards: new Set([...text.matchAll(AWARD_PATTERN)].map((m) => awardStem(m[0]))),
    scope: new Set(scopeFamilies(scopeWords(text)).keys()),
    hedged: prose.flatMap((item) => {
      const hedge = hedgeOf(item.text);
      return hedge === undefined ? [] : [{ text: item.text, hedge }];
    }),
  };
}

function finding(
  rule: ClaimRule,
  offending: string[],
  reason: string,
  sentence: string,
): ClaimFinding {
  return { rule, offending, reason, sentence };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Every string of a JSON value, joined by newlines. */
function collectText(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number') out.push(String(v));
    else if (Array.isArray(v)) for (const item of v) walk(item);
    else if (v !== null && typeof v === 'object') for (const item of Object.values(v)) walk(item);
  };
  walk(value);
  return out.join('\n');
}
