/**
 * What a model's tailor-resume answer must hold before the optimizer passes
 * it on: every string of the variant is either a string of the profile, or a
 * rewritten prose text (the summary; a work, volunteer or project entry's
 * summary, description or highlight) whose citation names at least one known
 * profile item. Anything else gets the repair turn, then the next provider
 * (finally the embedded one). The claim-level verification of what the
 * rewrites say is the cell's, against the profile version it holds.
 */
import type { CoverLetter, JobInput, TailoredResume } from '../../../lib/ai/contract.ts';
import { collectStrings } from '../../../lib/ai/embedded/index.ts';
import { isCourtesySentence, jobItemIndex } from '../../../lib/ai/job-items.ts';
import { pointerOf, profileItemIndex } from '../../../lib/ai/profile-items.ts';

const PROSE_POINTER =
  /^\/basics\/summary$|^\/(work|volunteer|projects)\/\d+\/(summary|description|highlights\/\d+)$/;

function leaves(value: unknown, path: (string | number)[], out: [string, string][]): void {
  if (typeof value === 'string') out.push([pointerOf(path), value]);
  else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      leaves(item, [...path, i], out);
    });
  } else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) leaves(item, [...path, key], out);
}

/** The problem with an answer, for the repair turn; undefined when it may be passed on. */
export function tailoredAnswerProblem(
  profile: unknown,
  answer: TailoredResume,
): string | undefined {
  const known = collectStrings(profile);
  const items = profileItemIndex(profile);
  const cites = new Map<string, string[]>();
  for (const citation of answer.citations)
    cites.set(citation.pointer, [...(cites.get(citation.pointer) ?? []), ...citation.cites]);
  const invented: string[] = [];
  const uncited: string[] = [];
  const unknown = new Set<string>();
  const found: [string, string][] = [];
  leaves(answer.variant, [], found);
  for (const [pointer, text] of found) {
    if (known.has(text)) continue;
    if (!PROSE_POINTER.test(pointer)) {
      invented.push(text);
      continue;
    }
    const ids = cites.get(pointer) ?? [];
    if (ids.length === 0) uncited.push(pointer);
    for (const id of ids) if (!items.has(id)) unknown.add(id);
  }
  const problems: string[] = [];
  if (invented.length > 0)
    problems.push(
      `strings not in the profile outside rewritable prose: ${invented
        .slice(0, 5)
        .map((s) => JSON.stringify(s))
        .join(', ')}`,
    );
  if (uncited.length > 0)
    problems.push(`rewritten texts without citations at ${uncited.slice(0, 5).join(', ')}`);
  if (unknown.size > 0)
    problems.push(`citations of unknown item ids: ${[...unknown].slice(0, 5).join(', ')}`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/**
 * The problem with a cover-letter answer, for the repair turn: a sentence
 * that cites nothing (other than a courtesy sentence) or cites ids that are
 * neither profile nor posting items. What the sentences say is the cell's to
 * verify.
 */
export function letterAnswerProblem(
  profile: unknown,
  job: JobInput,
  answer: CoverLetter,
): string | undefined {
  const items = profileItemIndex(profile);
  const posting = jobItemIndex(job);
  const uncited: string[] = [];
  const unknown = new Set<string>();
  answer.paragraphs.forEach((paragraph, p) => {
    paragraph.sentences.forEach((sentence, i) => {
      if (sentence.cites.length === 0 && !isCourtesySentence(sentence.text))
        uncited.push(`/paragraphs/${p}/sentences/${i}`);
      for (const id of sentence.cites) if (!items.has(id) && !posting.has(id)) unknown.add(id);
    });
  });
  const problems: string[] = [];
  if (uncited.length > 0)
    problems.push(`sentences without citations at ${uncited.slice(0, 5).join(', ')}`);
  if (unknown.size > 0)
    problems.push(`citations of unknown item ids: ${[...unknown].slice(0, 5).join(', ')}`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}
