/**
 * What the models are asked and how their answers are read: one system prompt
 * per task, the input as JSON, the answer parsed as JSON against the task's
 * schema (and, for tailoring, checked to copy every string it does not
 * rephrase and to cite known profile items for every one it does; for cover
 * letters, every sentence but a courtesy one cites known items), and the
 * repair turn.
 */
import { z } from 'zod';
import {
  type JobInput,
  jobAnalysisSchema,
  type TaskInputs,
  type TaskName,
  type TaskOutputs,
  taskSchemas,
} from '../../../lib/ai/contract.ts';
import { COURTESY_SENTENCES, jobItems } from '../../../lib/ai/job-items.ts';
import { profileItems } from '../../../lib/ai/profile-items.ts';
import { letterAnswerProblem, tailoredAnswerProblem } from './tailor-answer.ts';

const ANALYSIS_SHAPE =
  '{"title": string, "seniority": "intern"|"junior"|"mid"|"senior"|"staff"|"principal"|"lead"|"manager"|"director"|"unknown", "mustHave": string[], "niceToHave": string[], "keywords": string[], "yearsMin": integer|null, "location": string|null, "remote": "remote"|"hybrid"|"onsite"|"unknown"}';

const SYSTEM: Record<TaskName, string> = {
  'analyze-job': `You extract structured requirements from a job posting. Reply with one JSON object only, no prose, of this shape: ${ANALYSIS_SHAPE}. mustHave are skills the posting requires; niceToHave are skills it calls preferred, a plus or a bonus; keywords are the terms a resume should contain, most important first. Use canonical skill names (Kubernetes, PostgreSQL).`,
  'score-match': `You compare a JSON Resume profile with a job analysis. Reply with one JSON object only: {"score": integer 0-100, "matched": string[], "missing": string[]}. matched are the job's keywords the profile evidences; missing are those it does not.`,
  'tailor-resume': `You tailor a JSON Resume to a job. Select and reorder: put the job's keywords first in skills, work entries' highlights and projects. Strategy keyword-first: most relevant first; impact-first: measurable results first; concise: keep at most 3 highlights per entry. You MAY rephrase prose only: basics.summary, and the summary, description and highlights of work, volunteer and project entries, toward the job's wording. Every other string (names, employers, titles, dates, locations, contact data, skills) must be copied verbatim. A rephrased text must restate only what the profile items it cites say: the same numbers, dates, employers, titles, degrees, skills and names, no new ones, and no stronger scope ("helped" stays "helped"; "led", "managed", "owned" or a team size only where the cited items say so). A highlight or entry summary cites items of its own entry only. Profile items and their ids are in "items". Reply with one JSON object only: {"variant": <the tailored JSON Resume>, "citations": [{"pointer": "<JSON pointer of the rephrased text in your variant, e.g. /work/0/highlights/1>", "cites": ["<item id>", ...]}]}, one citation per rephrased text.`,
  'cover-letter': `You write the body of a cover letter for a candidate (a JSON Resume) applying to a job (its posting and analysis): 3 or 4 short paragraphs, in the first person, toward what the job asks. Every sentence cites what it restates. A sentence about the candidate cites the ids of the profile items ("items") it restates and says only what they say: the same numbers, dates, employers, titles, degrees, skills and names, no new ones, and no stronger scope ("helped" stays "helped"; "led", "managed", "owned" or a team size only where the cited items say so). A sentence about the company or the role cites the ids of the posting's items ("jobItems", ids starting with "job:") and only restates the posting; it does not speak of the candidate, except "I am applying for the <title> position at <company>.". Do not name the company in a sentence about the candidate. Sentences that state nothing may be one of ${JSON.stringify(COURTESY_SENTENCES)} with no citations; no salutation and no sign-off. Reply with one JSON object only: {"paragraphs": [{"sentences": [{"text": "<one sentence>", "cites": ["<item id>", ...]}]}]}.`,
};

const BATCH_SYSTEM = `You extract structured requirements from several job postings. Reply with one JSON object only: {"analyses": [...]}, one analysis per posting in the same order, each of this shape: ${ANALYSIS_SHAPE}.`;

export function systemPrompt(task: TaskName): string {
  return SYSTEM[task];
}

export function userPrompt<T extends TaskName>(task: T, input: TaskInputs[T]): string {
  if (task === 'tailor-resume') {
    const { profile } = input as TaskInputs['tailor-resume'];
    const items = profileItems(profile).map(({ id, text }) => ({ id, text }));
    return JSON.stringify({ task, input, items });
  }
  if (task === 'cover-letter') {
    const { profile, job } = input as TaskInputs['cover-letter'];
    const items = profileItems(profile).map(({ id, text }) => ({ id, text }));
    const posting = jobItems(job).map(({ id, text }) => ({ id, text }));
    return JSON.stringify({ task, input, items, jobItems: posting });
  }
  return JSON.stringify({ task, input });
}

export function batchSystemPrompt(): string {
  return BATCH_SYSTEM;
}

export function batchUserPrompt(jobs: JobInput[]): string {
  return JSON.stringify({ task: 'analyze-job-batch', jobs });
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The JSON object in a model's answer, tolerating code fences and stray prose. */
export function extractJson(text: string): unknown {
  const unfenced = text.replace(/^\s*```(?:json)?\s*/i, '').replace(/\s*```\s*$/, '');
  try {
    return JSON.parse(unfenced);
  } catch {
    const start = unfenced.indexOf('{');
    const end = unfenced.lastIndexOf('}');
    if (start >= 0 && end > start) return JSON.parse(unfenced.slice(start, end + 1));
    throw new Error('no JSON object in the answer');
  }
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Parses a model's answer for `task`; a tailored resume must invent nothing. */
export function parseAnswer<T extends TaskName>(
  task: T,
  input: TaskInputs[T],
  text: string,
): Parsed<TaskOutputs[T]> {
  let json: unknown;
  try {
    json = extractJson(text);
  } catch (error) {
    return { ok: false, problem: `not JSON: ${(error as Error).message}` };
  }
  const result = taskSchemas[task].output.safeParse(json);
  if (!result.success) return { ok: false, problem: describe(result.error) };
  if (task === 'tailor-resume') {
    const problem = tailoredAnswerProblem(
      (input as TaskInputs['tailor-resume']).profile,
      result.data as TaskOutputs['tailor-resume'],
    );
    if (problem) return { ok: false, problem };
  }
  if (task === 'cover-letter') {
    const { profile, job } = input as TaskInputs['cover-letter'];
    const problem = letterAnswerProblem(profile, job, result.data as TaskOutputs['cover-letter']);
    if (problem) return { ok: false, problem };
  }
  return { ok: true, value: result.data as TaskOutputs[T] };
}

const batchAnswerSchema = z.object({ analyses: z.array(jobAnalysisSchema) });

export function parseBatchAnswer(
  text: string,
  count: number,
): Parsed<TaskOutputs['analyze-job'][]> {
  let json: unknown;
  try {
    json = extractJson(text);
  } catch (error) {
    return { ok: false, problem: `not JSON: ${(error as Error).message}` };
  }
  const result = batchAnswerSchema.safeParse(json);
  if (!result.success) return { ok: false, problem: describe(result.error) };
  if (result.data.analyses.length !== count)
    return { ok: false, problem: `expected ${count} analyses, got ${result.data.analyses.length}` };
  return { ok: true, value: result.data.analyses };
}

export function repairPrompt(problem: string): string {
  return `Your answer was not valid: ${problem}. Reply again with only the corrected JSON object.`;
}
