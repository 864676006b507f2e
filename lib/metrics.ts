/**
 * Prometheus metrics (prom-client): one registry per process with the default
 * Node metrics, an HTTP request histogram middleware, and a `/metrics` handler.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Records `http_requests_total` and `http_request_duration_seconds` by route and status. */
  httpMiddleware: MiddlewareHandler;
  /** Serves the registry in the Prometheus text format. */
  handler: (c: Context) => Promise<Response>;
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    buckets?: number[],
  ): Histogram<L>;
}

/** Latency buckets from 0.5 ms to 30 s: fine enough for the router's sub-ms overhead. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export function createMetrics(options: {
  service: string;
  defaultLabels?: Record<string, string>;
}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service, ...options.defaultLabels });
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  const httpMiddleware: MiddlewareHandler = async (c, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // routePath is the pattern (`/v1/jobs/:id`), which keeps label cardinality bounded.
      const labels = { method: c.req.method, route: c.req.routePath, status: String(c.res.status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    }
  };

  return {
    registry,
    httpMiddleware,
    handler: async (c) =>
      c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
    counter: (name, help, labelNames = []) =>
      new Counter({ name, help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = []) =>
      new Gauge({ name, help, labelNames, registers: [registry] }),
    histogram: (name, help, labelNames = [], buckets = LATENCY_BUCKETS) =>
      new Histogram({ name, help, labelNames, buckets, registers: [registry] }),
  };
}
