/**
 * Drafting the answers to a job's application-form questions (Greenhouse's
 * `questions=true` shape: a label, whether it is required, and its fields with
 * their names, types and options), from the user's stored screening answers
 * first (cell/domain/profile/screening-answers.ts), otherwise from grounded
 * profile facts (each answer names the JSON pointer it copies), and never by
 * guessing: a question neither source answers is marked unanswered. The
 * fields every channel fills itself (name, email, phone, resume, cover letter)
 * are left to the channel.
 */
import type { JsonResume } from '../../../lib/ai/contract.ts';
import type { ScreeningAnswers } from '../profile/screening-answers.ts';

export interface FormField {
  name: string;
  type: string;
  values?: { label: string; value: string | number }[];
}

export interface FormQuestion {
  label: string;
  required: boolean;
  fields: FormField[];
}

export type AnswerSource =
  | {
      kind: 'stored';
      key: 'workAuthorisation' | 'noticePeriod' | 'salaryExpectation' | 'relocation';
    }
  | { kind: 'stored'; key: 'custom'; question: string }
  | { kind: 'profile'; pointer: string };

export interface DraftedAnswer {
  /** The form field the answer goes in. */
  name: string;
  label: string;
  required: boolean;
  /** The text, or the option value(s) of a select field; null when unanswered. */
  answer: string | null;
  source: AnswerSource | null;
}

/** Fields the submission channels fill from the candidate and the documents. */
const CHANNEL_FIELDS = new Set([
  'first_name',
  'last_name',
  'email',
  'phone',
  'resume',
  'resume_text',
  'cover_letter',
  'cover_letter_text',
]);

const STORED: [
  RegExp,
  'workAuthorisation' | 'noticePeriod' | 'salaryExpectation' | 'relocation',
][] = [
  [
    /\b(legally )?authori[sz](ed|ation) to work\b|\bright to work\b|\bwork authori[sz]ation\b/i,
    'workAuthorisation',
  ],
  [
    /\bnotice period\b|\bwhen can you start\b|\bavailable to start\b|\bearliest start\b/i,
    'noticePeriod',
  ],
  [/\bsalary\b|\bcompensation\b|\bpay expectations?\b/i, 'salaryExpectation'],
  [/\breloca/i, 'relocation'],
];

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** Share of words two questions have in common (Jaccard). */
function similarity(a: string, b: string): number {
  const left = words(a);
  const right = words(b);
  const shared = [...left].filter((w) => right.has(w)).length;
  return shared / Math.max(1, new Set([...left, ...right]).size);
}

type Fact = { pointer: string; value: string };

/** Grounded facts a form may ask for, each with where in the profile it is. */
function profileFact(label: string, profile: JsonResume): Fact | undefined {
  const basics = (profile.basics ?? {}) as Record<string, unknown>;
  const profiles = Array.isArray(basics.profiles)
    ? (basics.profiles as Record<string, unknown>[])
    : [];
  const network = (name: RegExp): Fact | undefined => {
    const index = profiles.findIndex(
      (p) => typeof p.network === 'string' && name.test(p.network) && typeof p.url === 'string',
    );
    return index < 0
      ? undefined
      : { pointer: `/basics/profiles/${index}/url`, value: profiles[index]?.url as string };
  };
  if (/linked\s?in/i.test(label)) return network(/linked\s?in/i);
  if (/github/i.test(label)) return network(/github/i);
  if (/\b(website|portfolio|personal (site|page))\b/i.test(label) && typeof basics.url === 'string')
    return { pointer: '/basics/url', value: basics.url };
  const work = profile.work?.[0];
  if (work && !work.endDate) {
    if (/\bcurrent (company|employer)\b/i.test(label) && work.name)
      return { pointer: '/work/0/name', value: work.name };
    if (/\bcurrent (job )?(title|position|role)\b/i.test(label) && work.position)
      return { pointer: '/work/0/position', value: work.position };
  }
  const location = basics.location as Record<string, unknown> | undefined;
  if (/\b(current )?(city|location)\b|\bwhere are you (based|located)\b/i.test(label)) {
    const parts = [location?.city, location?.region, location?.countryCode].filter(
      (p): p is string => typeof p === 'string' && p.trim() !== '',
    );
    if (parts.length > 0) return { pointer: '/basics/location', value: parts.join(', ') };
  }
  return undefined;
}

/** An answer for a field: the text, or the value of the option it names (select fields). */
function optionFor(field: FormField, text: string): string | null {
  if (field.type === 'input_text' || field.type === 'textarea') return text;
  if (!field.type.startsWith('multi_value') || !field.values?.length) return null;
  const lower = text.trim().toLowerCase();
  const option =
    field.values.find((o) => o.label.trim().toLowerCase() === lower) ??
    // "Yes, EU citizen" picks "Yes"; "No, remote only" picks "No".
    field.values.find((o) => {
      const label = o.label.trim().toLowerCase();
      return (label === 'yes' || label === 'no') && new RegExp(`^${label}\\b`).test(lower);
    });
  return option ? String(option.value) : null;
}

/** Drafts an answer for every question the channel does not fill itself. */
export function draftAnswers(
  questions: readonly FormQuestion[],
  stored: ScreeningAnswers,
  profile: JsonResume,
): DraftedAnswer[] {
  const drafts: DraftedAnswer[] = [];
  for (const question of questions) {
    const field = question.fields.find((f) => f.type !== 'input_hidden' && f.type !== 'input_file');
    if (!field || CHANNEL_FIELDS.has(field.name)) continue;
    const draft: DraftedAnswer = {
      name: field.name,
      label: question.label,
      required: question.required,
      answer: null,
      source: null,
    };
    const custom = stored.custom
      .map((c) => ({ ...c, score: similarity(c.question, question.label) }))
      .filter((c) => c.score >= 0.8)
      .sort((a, b) => b.score - a.score)[0];
    const known = STORED.find(([pattern, key]) => pattern.test(question.label) && stored[key]);
    const fact = profileFact(question.label, profile);
    const candidates: [string, AnswerSource][] = [
      ...(custom
        ? [
            [custom.answer, { kind: 'stored', key: 'custom', question: custom.question }] as [
              string,
              AnswerSource,
            ],
          ]
        : []),
      ...(known
        ? [
            [stored[known[1]] as string, { kind: 'stored', key: known[1] }] as [
              string,
              AnswerSource,
            ],
          ]
        : []),
      ...(fact
        ? [[fact.value, { kind: 'profile', pointer: fact.pointer }] as [string, AnswerSource]]
        : []),
    ];
    for (const [text, source] of candidates) {
      const answer = optionFor(field, text);
      if (answer === null) continue;
      draft.answer = answer;
      draft.source = source;
      break;
    }
    drafts.push(draft);
  }
  return drafts;
}

/** The required questions a draft leaves unanswered: an `auto` application waits for review. */
export function unansweredRequired(drafts: readonly DraftedAnswer[]): DraftedAnswer[] {
  return drafts.filter((d) => d.required && d.answer === null);
}

/** The answers as a submission sends them, keyed by field name. */
export function answersOf(drafts: readonly DraftedAnswer[]): Record<string, string> {
  return Object.fromEntries(
    drafts.filter((d) => d.answer !== null).map((d) => [d.name, d.answer as string]),
  );
}
