/**
 * A small undici load generator with microsecond latencies (autocannon
 * records whole milliseconds, too coarse for a 1 ms budget).
 *
 * - `closedLoop`: `connections` loops each send the next request as soon as
 *   the last answered: the saturation throughput.
 * - `openLoop`: requests leave on a fixed schedule (checked every ~1 ms)
 *   whatever the answers, so a slow target gets more concurrent requests
 *   rather than fewer requests. Latency counts from the actual send; a 1 ms
 *   timer rather than a busy loop keeps the generator off the CPU the
 *   measured processes need on a two-core machine.
 */
import { Pool } from 'undici';

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  rps: number;
  errors: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time the proxy process tree spent per answered request, when measured (bench/router.ts). */
  proxyCpuUsPerRequest?: number;
}

function summarise(
  latencies: number[],
  seconds: number,
  errors: number,
  statuses: Record<string, number>,
): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    requests: latencies.length,
    rps: Math.round(latencies.length / seconds),
    errors,
    statuses,
    p50Ms: round(at(0.5)),
    p90Ms: round(at(0.9)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

async function send(
  pool: Pool,
  request: LoadRequest,
  statuses: Record<string, number>,
): Promise<boolean> {
  try {
    const response = await pool.request({
      method: 'GET',
      path: request.path,
      headers: request.headers,
    });
    await response.body.dump();
    statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    return true;
  } catch {
    return false;
  }
}

export async function closedLoop(
  url: string,
  requests: LoadRequest[],
  options: { connections: number; durationMs: number },
): Promise<LoadResult> {
  const pool = new Pool(url, { connections: options.connections, pipelining: 1 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        const request = requests[next++ % requests.length] as LoadRequest;
        const t0 = performance.now();
        if (await send(pool, request, statuses)) latencies.push(performance.now() - t0);
        else errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return summarise(latencies, seconds, errors, statuses);
}

export async function openLoop(
  url: string,
  requests: LoadRequest[],
  options: { rate: number; durationMs: number; connections?: number },
): Promise<LoadResult> {
  const pool = new Pool(url, { connections: options.connections ?? 64, pipelining: 1 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const total = Math.floor((options.rate * options.durationMs) / 1000);
  const inflight = new Set<Promise<void>>();
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - started) / 1000) * options.rate));
    while (sent < due) {
      const t0 = performance.now();
      const request = requests[sent++ % requests.length] as LoadRequest;
      const p: Promise<void> = send(pool, request, statuses).then((ok) => {
        if (ok) latencies.push(performance.now() - t0);
        else errors++;
        inflight.delete(p);
      });
      inflight.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inflight);
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return summarise(latencies, seconds, errors, statuses);
}
