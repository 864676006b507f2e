/**
 * Router metrics on top of lib/metrics.ts: proxied requests and latency by
 * cell and status, `cell_up{cell}`, and the number of placement overrides.
 */
import type { Counter, Gauge, Histogram } from 'prom-client';
import { createMetrics, type Metrics } from '../lib/metrics.ts';

export interface RouterMetrics {
  base: Metrics;
  proxyRequests: Counter<'cell' | 'status'>;
  proxyDuration: Histogram<'cell' | 'status'>;
  cellUp: Gauge<'cell'>;
  overrides: Gauge;
  /** Records one proxied (or refused) request of a cell. */
  observe(cell: string, status: number, seconds: number): void;
}

interface BoundSeries {
  inc(): void;
  observe(seconds: number): void;
}

export function createRouterMetrics(): RouterMetrics {
  const base = createMetrics({ service: 'router' });
  const proxyRequests = base.counter(
    'router_proxy_requests_total',
    'Requests for a cell answered by the router, by cell and status',
    ['cell', 'status'],
  );
  const proxyDuration = base.histogram(
    'router_proxy_request_duration_seconds',
    'Time from request to response headers of requests for a cell, by cell and status',
    ['cell', 'status'],
  );
  const cellUp = base.gauge('cell_up', '1 when the cell passes its health checks', ['cell']);
  const overrides = base.gauge('router_placement_overrides', 'Placement overrides in force');
  // Children bound once per (cell, status): the hot path builds no label object and no
  // status string per request (prom-client still hashes the bound labels on each call).
  const bound = new Map<string, Map<number, BoundSeries>>();
  const series = (cell: string, status: number): BoundSeries => {
    let byStatus = bound.get(cell);
    if (!byStatus) {
      byStatus = new Map();
      bound.set(cell, byStatus);
    }
    let entry = byStatus.get(status);
    if (!entry) {
      const counter = proxyRequests.labels(cell, String(status));
      const histogram = proxyDuration.labels(cell, String(status));
      entry = { inc: () => counter.inc(), observe: (seconds) => histogram.observe(seconds) };
      byStatus.set(status, entry);
    }
    return entry;
  };
  return {
    base,
    proxyRequests,
    proxyDuration,
    cellUp,
    overrides,
    observe(cell, status, seconds) {
      const entry = series(cell, status);
      entry.inc();
      entry.observe(seconds);
    },
  };
}
