/**
 * The analyze-job contract the cell relies on: the task types are the shared
 * ones of `lib/ai/contract.ts` (AI optimizer `POST /v1/tasks/analyze-job`);
 * this module only adds the cell's `JobAnalyzer` seam over them.
 */
import type { JobAnalysis } from '../../../lib/ai/contract.ts';

export type {
  JobAnalysis,
  MatchResult,
  RemotePolicy,
  Seniority,
} from '../../../lib/ai/contract.ts';

/** A job as the cell stores it; `location` is null when the posting names none. */
export interface AnalyzeJobInput {
  title: string;
  company: string;
  description: string;
  location: string | null;
}

/** Where an analysis came from: the optimizer, a near-identical job's cached one, or embedded. */
export type AnalysisSource = 'optimizer' | 'cached' | 'embedded';

export interface AnalyzeJobResult {
  analysis: JobAnalysis;
  source: AnalysisSource;
}

/** One interface, several implementations: optimizer over HTTP, cached, embedded in-process. */
export interface JobAnalyzer {
  analyze(input: AnalyzeJobInput, context: { userId: string | null }): Promise<AnalyzeJobResult>;
}
