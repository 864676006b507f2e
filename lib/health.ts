/**
 * Health checks: `/health/live` says the process runs; `/health/ready` runs
 * each dependency check with a bound and answers 503 naming what failed.
 */
import type { Context } from 'hono';

export type HealthCheck = () => Promise<unknown>;

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
  [key: string]: unknown;
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  failing: string[];
  checks: Record<string, CheckResult>;
}

/** Runs every check concurrently, each bounded by `timeoutMs`. */
export async function runChecks(
  checks: Record<string, HealthCheck>,
  timeoutMs = 1_000,
): Promise<Readiness> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      const start = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const extra = await Promise.race([
          check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ]);
        const details =
          typeof extra === 'object' && extra !== null && !Array.isArray(extra) ? extra : {};
        return [name, { ok: true, latencyMs: Math.round(performance.now() - start), ...details }];
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return [
          name,
          { ok: false, latencyMs: Math.round(performance.now() - start), error: message },
        ];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const failing = entries.filter(([, result]) => !result.ok).map(([name]) => name);
  return {
    status: failing.length === 0 ? 'ready' : 'not_ready',
    failing,
    checks: Object.fromEntries(entries),
  };
}

/** Answers a readiness probe: 200 when every check passes, else 503 naming the failures. */
export async function readinessResponse(
  c: Context,
  checks: Record<string, HealthCheck>,
  extra: Record<string, unknown> = {},
): Promise<Response> {
  const readiness = await runChecks(checks);
  return c.json({ ...readiness, ...extra }, readiness.status === 'ready' ? 200 : 503);
}
