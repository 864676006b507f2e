import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotHistogram } from './hot-histogram.ts';
import { LATENCY_BUCKETS } from './metrics.ts';

function registry(): Registry {
  const r = new Registry();
  r.setDefaultLabels({ service: 'router' });
  return r;
}

// On a bound, between bounds, above the last one, zero, and repeated series.
const OBSERVATIONS: [string, string, number][] = [
  ['cell-1', '200', 0.0005],
  ['cell-1', '200', 0.0031],
  ['cell-2', '503', 0],
  ['cell-1', '200', 45],
  ['cell-1', '404', 0.01],
  ['cell-2', '503', 0.2],
  ['cell-1', '200', 0.0031],
];

describe('HotHistogram', () => {
  it('exports exactly what a prom-client Histogram exports for the same observations', async () => {
    const reference = registry();
    const hot = registry();
    const histogram = new Histogram({
      name: 'router_proxy_request_duration_seconds',
      help: 'Time by cell and status',
      labelNames: ['cell', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [reference],
    });
    const fast = new HotHistogram(
      'router_proxy_request_duration_seconds',
      'Time by cell and status',
      ['cell', 'status'],
      LATENCY_BUCKETS,
      hot,
    );
    for (const [cell, status, seconds] of OBSERVATIONS) {
      histogram.labels(cell, status).observe(seconds);
      fast.bind({ cell, status })(seconds);
    }

    expect(await hot.metrics()).toBe(await reference.metrics());
    expect(await hot.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
    expect(await hot.metrics()).toContain(
      'router_proxy_request_duration_seconds_bucket{le="0.005",service="router",cell="cell-1",status="200"} 3',
    );
  });

  it('keeps counting through a bound function after a reset, from zero, dropping a NaN', async () => {
    const hot = registry();
    const fast = new HotHistogram('h', 'h', ['cell'], [0.1, 1], hot);
    const observe = fast.bind({ cell: 'cell-1' });
    observe(0.5);
    hot.resetMetrics();
    observe(Number.NaN); // dropped: the sum and count below hold only the 2
    observe(2);
    const text = await hot.metrics();
    expect(text).toContain('h_bucket{le="1",service="router",cell="cell-1"} 0');
    expect(text).toContain('h_bucket{le="+Inf",service="router",cell="cell-1"} 1');
    expect(text).toContain('h_sum{service="router",cell="cell-1"} 2');
    expect(text).toContain('h_count{service="router",cell="cell-1"} 1');
  });
});
