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
  return {
    base,
    proxyRequests,
    proxyDuration,
    cellUp,
    overrides,
    observe(cell, status, seconds) {
      const labels = { cell, status: String(status) };
      proxyRequests.inc(labels);
      proxyDuration.observe(labels, seconds);
    },
  };
}
