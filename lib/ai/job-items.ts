/**
 * Job items: the citable facts of a job posting, for the sentences of a cover
 * letter that speak about the company or the role. A letter sentence about
 * the company may only restate the posting, and cites the items it restates:
 * the title, the company, the location and each sentence (or list line) of the
 * description. Ids start with `job:` so they never collide with profile items;
 * like profile item ids they derive from the item's place and content.
 *
 * The courtesy sentences are the only ones a letter may write citing nothing:
 * they state no fact about anyone.
 */
import { createHash } from 'node:crypto';
import { htmlToText } from './embedded/text.ts';

export const JOB_ITEM_PREFIX = 'job:';

export type JobItemKind = 'title' | 'company' | 'location' | 'sentence';

export interface JobItem {
  id: string;
  kind: JobItemKind;
  text: string;
}

export interface JobPostingText {
  title: string;
  company?: string | undefined;
  description: string;
  location?: string | undefined;
}

/** Sentences that state nothing about the candidate or the company; they need no citation. */
export const COURTESY_SENTENCES = [
  'Thank you for your time and consideration.',
  'I look forward to hearing from you.',
  'I would welcome the chance to talk with you.',
] as const;

/** Whether `text` is one of the courtesy sentences (case and spacing aside). */
export function isCourtesySentence(text: string): boolean {
  const squash = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  return COURTESY_SENTENCES.some((sentence) => squash(sentence) === squash(text));
}

function jobItemId(place: string, text: string): string {
  const hash = createHash('sha256').update(`${place}\u0000${text}`).digest('hex').slice(0, 8);
  return `${JOB_ITEM_PREFIX}${place}~${hash}`;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** The description's sentences: each line (a list item, a heading) split into sentences. */
export function postingSentences(description: string): string[] {
  const out: string[] = [];
  for (const line of htmlToText(description).split('\n')) {
    const clean = line.replace(/^[-•*]\s*/, '').trim();
    if (clean === '') continue;
    for (const part of segmenter.segment(clean)) {
      const sentence = part.segment.trim();
      if (sentence !== '') out.push(sentence);
    }
  }
  return out;
}

/** Every citable item of a posting, in order: title, company, location, sentences. */
export function jobItems(job: JobPostingText): JobItem[] {
  const items: JobItem[] = [];
  const push = (kind: JobItemKind, place: string, text: string) => {
    items.push({ id: jobItemId(place, text), kind, text });
  };
  if (job.title.trim() !== '') push('title', 'title', job.title.trim());
  if (job.company && job.company.trim() !== '') push('company', 'company', job.company.trim());
  if (job.location && job.location.trim() !== '') push('location', 'location', job.location.trim());
  postingSentences(job.description)
    .slice(0, 400)
    .forEach((sentence, index) => {
      push('sentence', `sentence.${index}`, sentence);
    });
  return items;
}

/** The posting's items by id. */
export function jobItemIndex(job: JobPostingText): Map<string, JobItem> {
  return new Map(jobItems(job).map((item) => [item.id, item]));
}
