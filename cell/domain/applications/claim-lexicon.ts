/**
 * The small, reviewable word lists behind the claim-level verifier
 * (claim-verifier.ts). Each list says which words make a claim that the cited
 * profile items must support. They are deliberately short: a word missing
 * here is a claim the verifier does not see, a word added here is a sentence
 * that needs a source saying the same.
 *
 * Scope: a rewritten sentence may not claim more than its sources.
 * - A word of a scope family needs a source word of the same family (or of a
 *   family that implies it: whoever led also owned).
 * - A hedge in a source ("helped", "contributed to", "assisted") must survive
 *   the rewrite: "helped migrate" must not become "migrated", let alone "led".
 * - A team size ("a team of 6", "4 engineers") needs a source giving that size.
 */

/** Scope families: words that claim leadership, ownership, people management or founding. */
export const SCOPE_FAMILIES = {
  lead: [
    'led',
    'lead',
    'leads',
    'leading',
    'headed',
    'heading',
    'spearheaded',
    'spearheading',
    'directed',
    'directing',
    'oversaw',
    'oversee',
    'oversees',
    'overseeing',
    'supervised',
    'supervising',
    'managed',
    'manage',
    'manages',
    'managing',
    'drove',
    'championed',
    'orchestrated',
  ],
  own: ['owned', 'own', 'owns', 'owning', 'owner', 'ownership', 'accountable'],
  people: [
    'mentored',
    'mentoring',
    'mentor',
    'coached',
    'coaching',
    'hired',
    'hiring',
    'recruited',
  ],
  founded: ['founded', 'co-founded', 'cofounded', 'founder', 'co-founder', 'cofounder'],
  solo: ['sole', 'solely', 'single-handedly', 'singlehandedly', 'alone', 'independently', 'solo'],
  breadth: [
    'company-wide',
    'companywide',
    'organization-wide',
    'organisation-wide',
    'org-wide',
    'enterprise-wide',
    'firm-wide',
    'global',
    'globally',
  ],
  whole: ['entire', 'entirely', 'whole'],
  first: ['first-ever', 'pioneered', 'pioneering', 'invented'],
} as const;
export type ScopeFamily = keyof typeof SCOPE_FAMILIES;

/** Source families that also support a sentence family: a lead owned, a manager mentored. */
export const SCOPE_IMPLIED_BY: Record<ScopeFamily, readonly ScopeFamily[]> = {
  lead: ['lead'],
  own: ['own', 'lead', 'founded'],
  people: ['people', 'lead'],
  founded: ['founded'],
  solo: ['solo'],
  breadth: ['breadth'],
  whole: ['whole'],
  first: ['first'],
};

/** Words that claim less than doing the work alone; "responsible for" is not one. */
export const HEDGES = [
  'helped',
  'help',
  'helping',
  'helps',
  'assisted',
  'assist',
  'assisting',
  'contributed',
  'contribute',
  'contributing',
  'contributor',
  'contribution',
  'contributions',
  'participated',
  'participate',
  'participating',
  'collaborated',
  'collaborate',
  'collaborating',
  'co-led',
  'co-developed',
  'co-authored',
  'co-wrote',
] as const;

/** Phrases that hedge as a whole. */
export const HEDGE_PHRASES = [/\btook part\b/i, /\bpart of (a|the)\b/i, /\bworked alongside\b/i];

/** Number words, as the verifier reads them ("one" is left out: "one of the first…"). */
export const NUMBER_WORDS: Record<string, number> = {
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
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
  dozen: 12,
  half: 0.5,
  halved: 0.5,
  halving: 0.5,
  double: 2,
  doubled: 2,
  doubling: 2,
  twice: 2,
  triple: 3,
  tripled: 3,
  tripling: 3,
};

export const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;

/** People nouns that turn a number into a team size. */
export const PEOPLE_NOUNS =
  'engineers?|developers?|people|persons?|reports|direct reports|designers?|analysts?|scientists?|contractors?|interns?|staff|members?|employees?|hires|teammates|researchers?|testers?|specialists?|volunteers?';

/** Title words: a sentence naming one needs a cited item (or its entry's position) that does. */
export const TITLE_PATTERN = new RegExp(
  [
    '\\b(senior|sr\\.?|principal|distinguished|chief|director|vp|vice president|manager|cto|ceo|cfo|coo|cio|cpo|president|architect|fellow|intern|junior|jr\\.?)\\b',
    '\\b(staff|lead) (software |data |ml |platform |backend |frontend |product )?(engineer|developer|designer|scientist|analyst|architect)\\b',
    '\\b(tech|team|engineering) lead\\b',
    '\\bhead of\\b',
  ].join('|'),
  'gi',
);

/** Degrees and certifications (written forms normalised by the verifier: `B.Sc.` → `bsc`). */
export const CREDENTIAL_PATTERN =
  /\b(bachelor'?s?|master'?s?|mba|ph\.? ?d\.?|doctorate|doctoral|b\.? ?sc?\.?|m\.? ?sc\.?|b\.? ?eng\.?|m\.? ?eng\.?|b\.?tech|m\.?tech|associate'?s degree|diploma|degree|certified|certification|certifications|certificate|licensed|license|accredited|pmp|cissp|cka|ckad|cks|ccna|ccnp|cpa|cfa|cism|cisa|oscp|csm|psm|itil|togaf)(?![\p{L}\p{N}])/giu;
/** Two-letter degrees, only as capitals ("MS", not "ms"). */
export const CREDENTIAL_ACRONYMS = /\b(BA|BS|MA|MS|BSc|MSc)\b/g;

/** Recognition: awards, prizes, honours. */
export const AWARD_PATTERN =
  /\b(awards?|awarded|prizes?|winner|won|wins?|honou?rs?|honou?red|medals?|finalist|recogni[sz]ed|recognition|trophy|laureate|scholarships?|fellowships?|employee of the (month|year|quarter))\b/gi;

/** The family of an award word, so "award" in a source supports "awarded" in a rewrite. */
export function awardStem(word: string): string {
  const w = word.toLowerCase();
  if (w.startsWith('award')) return 'award';
  if (w.startsWith('prize')) return 'prize';
  if (w === 'won' || w.startsWith('win')) return 'win';
  if (w.startsWith('hono')) return 'honor';
  if (w.startsWith('medal')) return 'medal';
  if (w.startsWith('recogni')) return 'recognition';
  if (w.startsWith('scholarship')) return 'scholarship';
  if (w.startsWith('fellowship')) return 'fellowship';
  if (w.startsWith('employee of the')) return 'employee-of-the';
  return w;
}
