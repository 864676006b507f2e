/**
 * The analyze-job task contract the cell relies on (AI optimizer
 * `POST /v1/tasks/analyze-job`). INTERIM: mirrors the shared contract that will
 * live in `lib/ai/contract.ts`; once that lands, re-export its types from here.
 */

export interface AnalyzeJobInput {
  title: string;
  company: string;
  description: string;
  location: string | null;
}

export type Seniority =
  | 'intern'
  | 'junior'
  | 'mid'
  | 'senior'
  | 'staff'
  | 'principal'
  | 'lead'
  | 'manager'
  | 'unknown';

export interface JobAnalysis {
  title: string;
  seniority: Seniority | string;
  mustHave: string[];
  niceToHave: string[];
  keywords: string[];
  yearsMin: number | null;
  location: string | null;
  remote: boolean | null;
}

export interface AnalyzeJobResult {
  analysis: JobAnalysis;
  /** Which analyzer produced it: `optimizer` or `embedded`. */
  source: 'optimizer' | 'embedded';
}

/** One interface, two implementations: the optimizer over HTTP and the embedded one in-process. */
export interface JobAnalyzer {
  analyze(input: AnalyzeJobInput, context: { userId: string | null }): Promise<AnalyzeJobResult>;
}
