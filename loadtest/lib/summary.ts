/**
 * `handleSummary` support: writes the full k6 summary as JSON and a short
 * text verdict (PASS/FAIL and each threshold with its measured value) under
 * RESULTS_DIR, and prints the verdict instead of k6's default summary.
 */
import { RESULTS_DIR } from './env.ts';

export interface SummaryMetric {
  type: string;
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

/** The part of k6's summary object this module reads. */
export interface SummaryData {
  metrics: Record<string, SummaryMetric>;
  state?: { testRunDurationMs?: number };
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** The measured value the expression compares, when the summary has it. */
  measured: number | undefined;
}

/** Trend statistics the summaries keep; p(99) is needed by the failover verdict. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

function aggregate(expression: string): string {
  const match = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)/.exec(expression);
  return match?.[1] ?? '';
}

/** Every threshold of the run with its outcome, failures first. */
export function thresholdResults(data: SummaryData): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, summary] of Object.entries(data.metrics)) {
    for (const [expression, outcome] of Object.entries(summary.thresholds ?? {})) {
      results.push({
        metric,
        expression,
        ok: outcome.ok,
        measured: summary.values[aggregate(expression)],
      });
    }
  }
  return results.sort((a, b) => Number(a.ok) - Number(b.ok) || a.metric.localeCompare(b.metric));
}

function format(value: number | undefined): string {
  if (value === undefined) return 'no data';
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 1 ? 4 : 2);
}

/** The short text verdict: one headline, then one line per threshold, then `notes`. */
export function verdictText(script: string, data: SummaryData, notes: string[] = []): string {
  const results = thresholdResults(data);
  const failed = results.filter((r) => !r.ok);
  const seconds = ((data.state?.testRunDurationMs ?? 0) / 1000).toFixed(1);
  const lines = [
    `${script}: ${failed.length === 0 ? 'PASS' : 'FAIL'} (${results.length - failed.length}/${results.length} thresholds met, ${seconds} s)`,
    ...results.map(
      (r) =>
        `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.metric} ${r.expression} (measured ${format(r.measured)})`,
    ),
    ...notes.map((note) => `  note: ${note}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The object `handleSummary` returns: JSON summary and verdict files, verdict on stdout. */
export function summaryOutputs(
  script: string,
  data: SummaryData,
  notes: string[] = [],
): Record<string, string> {
  const verdict = verdictText(script, data, notes);
  return {
    [`${RESULTS_DIR}/${script}-summary.json`]: JSON.stringify(data, null, 2),
    [`${RESULTS_DIR}/${script}-verdict.txt`]: verdict,
    stdout: verdict,
  };
}

/** A metric's value from the summary, if present. */
export function metricValue(data: SummaryData, metric: string, stat: string): number | undefined {
  return data.metrics[metric]?.values[stat];
}
