import { describe, expect, it } from 'vitest';
import { createRouterMetrics } from './metrics.ts';

/** `name{…labels…} value` lines of the exposition, for one metric. */
function series(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = line.slice(name.length + 1, line.lastIndexOf('}'));
    const cell = /cell="([^"]*)"/.exec(labels)?.[1];
    const status = /status="([^"]*)"/.exec(labels)?.[1];
    out.set(`${cell} ${status}`, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

describe('router metrics', () => {
  it('counts proxied requests per cell and status, equal to the duration histogram', async () => {
    const metrics = createRouterMetrics();
    for (let i = 0; i < 5; i++) metrics.observe('cell-1', 200, 0.002);
    metrics.observe('cell-1', 503, 0.001);
    for (let i = 0; i < 3; i++) metrics.observe('cell-2', 200, 0.004);
    const first = await metrics.base.registry.metrics();
    const counted = series(first, 'router_proxy_requests_total');
    expect(counted).toEqual(
      new Map([
        ['cell-1 200', 5],
        ['cell-1 503', 1],
        ['cell-2 200', 3],
      ]),
    );
    expect(series(first, 'router_proxy_request_duration_seconds_count')).toEqual(counted);
    expect(first).toMatch(/router_proxy_requests_total\{[^}]*service="router"[^}]*\} 5/);

    // Monotone across scrapes: later requests add to what was counted.
    metrics.observe('cell-1', 200, 0.002);
    const second = series(await metrics.base.registry.metrics(), 'router_proxy_requests_total');
    expect(second.get('cell-1 200')).toBe(6);
    expect(second.get('cell-2 200')).toBe(3);
  });
});
