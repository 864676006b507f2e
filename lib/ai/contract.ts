/**
 * The AI task contract shared by the AI optimizer (server) and the cell (client):
 * zod schemas and inferred types for the requests and responses of the three
 * tasks `analyze-job`, `score-match`, `tailor-resume` and `cover-letter`.
 */
import { z } from 'zod';

export const TASKS = ['analyze-job', 'score-match', 'tailor-resume', 'cover-letter'] as const;
export type TaskName = (typeof TASKS)[number];

export const SENIORITIES = [
  'intern',
  'junior',
  'mid',
  'senior',
  'staff',
  'principal',
  'lead',
  'manager',
  'director',
  'unknown',
] as const;
export type Seniority = (typeof SENIORITIES)[number];

export const REMOTE_POLICIES = ['remote', 'hybrid', 'onsite', 'unknown'] as const;
export type RemotePolicy = (typeof REMOTE_POLICIES)[number];

export const TAILOR_STRATEGIES = ['keyword-first', 'impact-first', 'concise'] as const;
export type TailorStrategy = (typeof TAILOR_STRATEGIES)[number];

export const CACHE_KINDS = ['none', 'exact', 'near', 'singleflight'] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

/** A job as the cell knows it: a posting pulled from a board or pasted by hand. */
export const jobInputSchema = z.object({
  title: z.string().trim().min(1).max(300),
  company: z.string().trim().max(300).optional(),
  /** Plain text or HTML; both are accepted. */
  description: z.string().min(1).max(100_000),
  location: z.string().trim().max(300).optional(),
});
export type JobInput = z.infer<typeof jobInputSchema>;

const term = z.string().trim().min(1).max(200);

export const jobAnalysisSchema = z.object({
  title: z.string().trim().min(1).max(300),
  seniority: z.enum(SENIORITIES),
  mustHave: z.array(term).max(100),
  niceToHave: z.array(term).max(100),
  keywords: z.array(term).max(200),
  yearsMin: z.number().int().min(0).max(50).nullable(),
  location: z.string().max(300).nullable(),
  remote: z.enum(REMOTE_POLICIES),
});
export type JobAnalysis = z.infer<typeof jobAnalysisSchema>;

const str = z.string();
const strList = z.array(z.string());

/**
 * A JSON Resume (https://jsonresume.org/schema) as far as the AI tasks read it.
 * Every object is loose: unknown fields pass through untouched, because the
 * cell validates the full schema and a variant must keep what it does not read.
 */
export const jsonResumeSchema = z.looseObject({
  basics: z
    .looseObject({
      name: str.optional(),
      label: str.optional(),
      summary: str.optional(),
    })
    .optional(),
  work: z
    .array(
      z.looseObject({
        name: str.optional(),
        position: str.optional(),
        summary: str.optional(),
        description: str.optional(),
        highlights: strList.optional(),
        startDate: str.optional(),
        endDate: str.optional(),
      }),
    )
    .optional(),
  volunteer: z.array(z.looseObject({ highlights: strList.optional() })).optional(),
  education: z.array(z.looseObject({ courses: strList.optional() })).optional(),
  skills: z
    .array(
      z.looseObject({ name: str.optional(), level: str.optional(), keywords: strList.optional() }),
    )
    .optional(),
  projects: z
    .array(
      z.looseObject({
        name: str.optional(),
        description: str.optional(),
        highlights: strList.optional(),
        keywords: strList.optional(),
      }),
    )
    .optional(),
});
export type JsonResume = z.infer<typeof jsonResumeSchema>;

export const taskMetaSchema = z.object({
  /** `openai`, `anthropic`, `local` or `embedded`. */
  provider: z.string(),
  model: z.string(),
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  /** What this request cost; 0 for cache hits and the embedded provider. */
  costUsd: z.number().min(0),
  cache: z.enum(CACHE_KINDS),
  latencyMs: z.number().min(0),
});
export type TaskMeta = z.infer<typeof taskMetaSchema>;

export const analyzeJobRequestSchema = z.object({ job: jobInputSchema });
export type AnalyzeJobRequest = z.infer<typeof analyzeJobRequestSchema>;
export const analyzeJobResponseSchema = z.object({
  analysis: jobAnalysisSchema,
  meta: taskMetaSchema,
});
export type AnalyzeJobResponse = z.infer<typeof analyzeJobResponseSchema>;

export const matchResultSchema = z.object({
  score: z.number().int().min(0).max(100),
  matched: z.array(term).max(200),
  missing: z.array(term).max(200),
});
export type MatchResult = z.infer<typeof matchResultSchema>;

export const scoreMatchRequestSchema = z.object({
  profile: jsonResumeSchema,
  analysis: jobAnalysisSchema,
});
export type ScoreMatchRequest = z.infer<typeof scoreMatchRequestSchema>;
export const scoreMatchResponseSchema = z.object({
  match: matchResultSchema,
  meta: taskMetaSchema,
});
export type ScoreMatchResponse = z.infer<typeof scoreMatchResponseSchema>;

export const tailorResumeRequestSchema = z.object({
  profile: jsonResumeSchema,
  analysis: jobAnalysisSchema,
  strategy: z.enum(TAILOR_STRATEGIES),
});
export type TailorResumeRequest = z.infer<typeof tailorResumeRequestSchema>;
/**
 * The profile items (lib/ai/profile-items.ts) that a rewritten text of the
 * variant restates. `pointer` is the text's place in the variant
 * (`/work/0/highlights/1`, `/basics/summary`); a text copied verbatim from the
 * same profile entry needs no citation.
 */
export const citationSchema = z.object({
  pointer: z.string().startsWith('/').max(300),
  cites: z.array(z.string().min(1).max(300)).max(50),
});
export type Citation = z.infer<typeof citationSchema>;

/** What the tailor task produces: the variant and the citations of its rewritten texts. */
export const tailoredResumeSchema = z.object({
  variant: jsonResumeSchema,
  citations: z.array(citationSchema).max(500).default([]),
});
export type TailoredResume = z.infer<typeof tailoredResumeSchema>;

export const tailorResumeResponseSchema = z.object({
  variant: jsonResumeSchema,
  citations: z.array(citationSchema).max(500).default([]),
  strategy: z.enum(TAILOR_STRATEGIES),
  meta: taskMetaSchema,
});
export type TailorResumeResponse = z.infer<typeof tailorResumeResponseSchema>;

export const coverLetterRequestSchema = z.object({
  profile: jsonResumeSchema,
  analysis: jobAnalysisSchema,
  /** The posting the letter answers; its sentences are the letter's "job" citations. */
  job: jobInputSchema,
});
export type CoverLetterRequest = z.infer<typeof coverLetterRequestSchema>;

/**
 * One sentence of a cover letter and what it restates: ids of profile items
 * (lib/ai/profile-items.ts) for what it says about the candidate, ids of job
 * items (`job:…`, lib/ai/job-items.ts) for what it says about the company or
 * the role. Only the courtesy sentences of lib/ai/job-items.ts may cite nothing.
 */
export const letterSentenceSchema = z.object({
  text: z.string().trim().min(1).max(1_000),
  cites: z.array(z.string().min(1).max(300)).max(20),
});
export type LetterSentence = z.infer<typeof letterSentenceSchema>;

/** The body of a cover letter: paragraphs of cited sentences (salutation and sign-off are the cell's). */
export const coverLetterSchema = z.object({
  paragraphs: z
    .array(z.object({ sentences: z.array(letterSentenceSchema).min(1).max(12) }))
    .min(1)
    .max(6),
});
export type CoverLetter = z.infer<typeof coverLetterSchema>;

export const coverLetterResponseSchema = z.object({
  letter: coverLetterSchema,
  meta: taskMetaSchema,
});
export type CoverLetterResponse = z.infer<typeof coverLetterResponseSchema>;

/** Request and answer schemas by task, for clients and for parsing model output. */
export const taskSchemas = {
  'analyze-job': { request: analyzeJobRequestSchema, output: jobAnalysisSchema },
  'score-match': { request: scoreMatchRequestSchema, output: matchResultSchema },
  'tailor-resume': { request: tailorResumeRequestSchema, output: tailoredResumeSchema },
  'cover-letter': { request: coverLetterRequestSchema, output: coverLetterSchema },
} as const;

export interface TaskInputs {
  'analyze-job': AnalyzeJobRequest;
  'score-match': ScoreMatchRequest;
  'tailor-resume': TailorResumeRequest;
  'cover-letter': CoverLetterRequest;
}
export interface TaskOutputs {
  'analyze-job': JobAnalysis;
  'score-match': MatchResult;
  'tailor-resume': TailoredResume;
  'cover-letter': CoverLetter;
}

/** HTTP paths of the tasks on the AI optimizer. */
export const TASK_PATHS: Record<TaskName, string> = {
  'analyze-job': '/v1/tasks/analyze-job',
  'score-match': '/v1/tasks/score-match',
  'tailor-resume': '/v1/tasks/tailor-resume',
  'cover-letter': '/v1/tasks/cover-letter',
};
