/**
 * Router metrics on top of lib/metrics.ts: proxied requests and latency by
 * cell and status, `cell_up{cell}`, pinned placements, and the migrator's
 * progress (counters of the process that runs it, plus the current
 * operation's users by state read from the control plane at scrape time, so
 * every replica shows it wherever the migrator runs).
 */
import { Counter, Gauge, type Histogram } from 'prom-client';
import { HotHistogram } from '../lib/hot-histogram.ts';
import { createMetrics, LATENCY_BUCKETS, type Metrics } from '../lib/metrics.ts';

export interface RouterMetrics {
  base: Metrics;
  proxyRequests: Counter<'cell' | 'status'>;
  proxyDuration: HotHistogram<'cell' | 'status'>;
  cellUp: Gauge<'cell'>;
  overrides: Gauge;
  migrationUsers: Counter<'outcome'>;
  migrationBytes: Counter;
  migrationFreeze: Histogram;
  /** Sets where the current operation's per-state user counts come from. */
  setMigrationProgress(read: () => Promise<MigrationProgress | null>): void;
  /** Records one proxied (or refused) request of a cell. */
  observe(cell: string, status: number, seconds: number): void;
}

export interface MigrationProgress {
  kind: string;
  users: Record<string, number>;
}

export function createRouterMetrics(): RouterMetrics {
  const base = createMetrics({ service: 'router' });
  // Observed once per proxied request: bound series, no label hashing (lib/hot-histogram.ts).
  const proxyDuration = new HotHistogram(
    'router_proxy_request_duration_seconds',
    'Time from request to response headers of requests for a cell, by cell and status',
    ['cell', 'status'],
    LATENCY_BUCKETS,
    base.registry,
  );
  // The same count as the histogram's `_count`, read from it at scrape time: the hot path
  // records each request once (the histogram), not twice.
  const proxyRequests = new Counter({
    name: 'router_proxy_requests_total',
    help: 'Requests for a cell answered by the router, by cell and status',
    labelNames: ['cell', 'status'] as const,
    registers: [base.registry],
    async collect() {
      const counts = (await proxyDuration.get()).values.filter(
        (value) => value.metricName === 'router_proxy_request_duration_seconds_count',
      );
      this.reset();
      for (const { labels, value } of counts) {
        this.inc({ cell: String(labels.cell), status: String(labels.status) }, value);
      }
    },
  });
  const cellUp = base.gauge('cell_up', '1 when the cell passes its health checks', ['cell']);
  const overrides = base.gauge(
    'router_placement_overrides',
    'Placements that do not follow the ring (pins and signup fallbacks)',
  );
  const migrationUsers = base.counter(
    'router_migration_users_total',
    'Users the migrator of this process finished, by outcome (moved, rolled_back, failed, purged)',
    ['outcome'],
  );
  const migrationBytes = base.counter(
    'router_migration_bytes_total',
    'Bytes of user data copied by the migrator of this process',
  );
  const migrationFreeze = base.histogram(
    'router_migration_freeze_seconds',
    'Time a moved user was frozen (writes refused), freeze to activation',
    [],
    [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  );
  let readProgress: () => Promise<MigrationProgress | null> = async () => null;
  // Read at scrape time: one small query, only for the admin-facing /metrics.
  new Gauge({
    name: 'router_migration_operation_users',
    help: 'Users of the running migration operation by state',
    labelNames: ['kind', 'state'] as const,
    registers: [base.registry],
    async collect() {
      this.reset();
      const current = await readProgress().catch(() => null);
      if (!current) return;
      for (const [state, users] of Object.entries(current.users)) {
        this.set({ kind: current.kind, state }, users);
      }
    },
  });

  // Series bound once per (cell, status): the hot path builds no label object, no status
  // string and no label hash per request.
  const bound = new Map<string, Map<number, (seconds: number) => void>>();
  const series = (cell: string, status: number): ((seconds: number) => void) => {
    let byStatus = bound.get(cell);
    if (!byStatus) {
      byStatus = new Map();
      bound.set(cell, byStatus);
    }
    let observe = byStatus.get(status);
    if (!observe) {
      observe = proxyDuration.bind({ cell, status: String(status) });
      byStatus.set(status, observe);
    }
    return observe;
  };
  return {
    base,
    proxyRequests,
    proxyDuration,
    cellUp,
    overrides,
    migrationUsers,
    migrationBytes,
    migrationFreeze,
    setMigrationProgress(read) {
      readProgress = read;
    },
    observe(cell, status, seconds) {
      series(cell, status)(seconds);
    },
  };
}
