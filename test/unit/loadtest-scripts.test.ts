/**
 * The k6 scripts cannot run here (no k6 binary), so this loads each one with
 * the `k6/*` modules stubbed and checks what k6 itself validates at start:
 * every scenario's executor and `exec` function, every threshold's metric
 * (built-in or created by the script) and an aggregation k6 accepts for that
 * metric type. It also checks the failover thresholds per cell, that
 * handleSummary writes the JSON summary and verdict under loadtest/results/,
 * and that the scripts import nothing k6 lacks (no Node APIs).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
const created = vi.hoisted(() => new Map<string, string>());

vi.mock('k6', () => ({
  check: () => true,
  fail: (message: string) => {
    throw new Error(message);
  },
  group: (_name: string, run: () => void) => run(),
  sleep: () => {},
}));
vi.mock('k6/http', () => {
  const http = {
    get: () => ({}),
    post: () => ({}),
    put: () => ({}),
    patch: () => ({}),
    del: () => ({}),
    batch: () => [],
    expectedStatuses: (...statuses: unknown[]) => ({ statuses }),
    setResponseCallback: () => {},
  };
  return { default: http, ...http };
});
vi.mock('k6/metrics', () => {
  const metric = (type: string) =>
    class {
      constructor(readonly name: string) {
        created.set(name, type);
      }
      add() {}
    };
  return {
    Counter: metric('counter'),
    Gauge: metric('gauge'),
    Rate: metric('rate'),
    Trend: metric('trend'),
  };
});
vi.mock('k6/execution', () => ({ default: { scenario: { iterationInTest: 0 } } }));

interface Scenario {
  executor: string;
  exec?: string;
  [key: string]: unknown;
}
interface Script {
  options: { scenarios: Record<string, Scenario>; thresholds: Record<string, string[]> };
  handleSummary: (data: unknown) => Record<string, string>;
  [name: string]: unknown;
}

const BUILT_IN: Record<string, MetricType> = {
  checks: 'rate',
  http_req_failed: 'rate',
  http_req_duration: 'trend',
  http_req_waiting: 'trend',
  http_reqs: 'counter',
  iterations: 'counter',
  iteration_duration: 'trend',
  vus: 'gauge',
};
/** Aggregations k6 accepts in a threshold, per metric type. */
const AGGREGATIONS: Record<MetricType, RegExp> = {
  counter: /^(count|rate)$/,
  gauge: /^value$/,
  rate: /^rate$/,
  trend: /^(avg|min|max|med|p\(\d+(\.\d+)?\))$/,
};
const EXECUTORS = [
  'shared-iterations',
  'per-vu-iterations',
  'constant-vus',
  'ramping-vus',
  'constant-arrival-rate',
  'ramping-arrival-rate',
  'externally-controlled',
];

async function load(script: string, env: Record<string, string> = {}): Promise<Script> {
  vi.resetModules();
  created.clear();
  (globalThis as { __ENV?: Record<string, string> }).__ENV = env;
  // A computed specifier keeps the root tsc (node types) out of the k6 sources.
  const specifier = `../../loadtest/${script}`;
  return (await import(specifier)) as Script;
}

/** Checks each threshold the way k6 does at start; returns the problems found. */
function thresholdProblems(thresholds: Record<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [key, expressions] of Object.entries(thresholds)) {
    const match =
      /^([a-zA-Z_][a-zA-Z0-9_]{0,127})(\{([a-z_]+:[^,{}]+)(,[a-z_]+:[^,{}]+)*\})?$/.exec(key);
    const metric = match?.[1];
    const type = (metric && (BUILT_IN[metric] ?? created.get(metric))) as MetricType | undefined;
    if (!metric || !type) {
      problems.push(`${key}: unknown metric`);
      continue;
    }
    for (const expression of expressions) {
      const parts = /^\s*([a-z]+(?:\([\d.]+\))?)\s*(<=|>=|===|==|!=|<|>)\s*-?\d+(\.\d+)?\s*$/.exec(
        expression,
      );
      if (!parts?.[1] || !AGGREGATIONS[type].test(parts[1])) {
        problems.push(`${key}: "${expression}" is not valid for a ${type}`);
      }
    }
  }
  return problems;
}

function checkShape(module: Script) {
  const scenarios = Object.entries(module.options.scenarios);
  expect(scenarios.length).toBeGreaterThan(0);
  for (const [name, scenario] of scenarios) {
    expect(EXECUTORS, `executor of ${name}`).toContain(scenario.executor);
    const exec = scenario.exec ?? 'default';
    expect(typeof module[exec], `exec ${exec} of ${name}`).toBe('function');
  }
  expect(thresholdProblems(module.options.thresholds)).toEqual([]);
  expect(typeof module.handleSummary).toBe('function');
}

const summary = {
  state: { testRunDurationMs: 61_000 },
  metrics: {
    'http_req_failed{cell:cell-1}': {
      type: 'rate',
      contains: 'default',
      values: { rate: 0 },
      thresholds: { 'rate==0': { ok: true } },
    },
    'cell_unavailable_latency{cell:cell-2}': {
      type: 'trend',
      contains: 'time',
      values: { 'p(99)': 71.5 },
      thresholds: { 'p(99)<50': { ok: false } },
    },
  },
};

describe('k6 scripts', () => {
  beforeEach(() => {
    created.clear();
  });

  it.each(['smoke.ts', 'load.ts', 'failover.ts', 'migration.ts'])(
    '%s exports options k6 accepts: known executors, exported exec functions, valid thresholds',
    async (script) => {
      checkShape(
        await load(script, {
          FAULT_CELL: 'cell-2',
          DRAIN_CELL: 'cell-2',
          NEW_CELL: 'cell-4',
          ADMIN_TOKEN: 'x',
        }),
      );
    },
  );

  it('the threshold check rejects what k6 rejects', () => {
    created.set('recovery_seconds', 'trend');
    expect(
      thresholdProblems({
        'http_req_failed{cell:cell-1}': ['p(95)<200'],
        recovery_seconds: ['count>0', 'max<5'],
        no_such_metric: ['rate==0'],
      }),
    ).toEqual([
      'http_req_failed{cell:cell-1}: "p(95)<200" is not valid for a rate',
      'recovery_seconds: "count>0" is not valid for a trend',
      'no_such_metric: unknown metric',
    ]);
  });

  it('smoke runs once as one user and fails on any failed check or request', async () => {
    const smoke = await load('smoke.ts');
    expect(smoke.options.scenarios.smoke).toMatchObject({ vus: 1, iterations: 1 });
    expect(smoke.options.thresholds).toMatchObject({
      checks: ['rate==1'],
      http_req_failed: ['rate==0'],
    });
  });

  it('load ramps its arrival rate and holds logins under the per-IP limit', async () => {
    const loadScript = await load('load.ts', { RATE: '40', CELLS: '2' });
    const { browse, logins } = loadScript.options.scenarios;
    expect(browse).toMatchObject({ executor: 'ramping-arrival-rate', exec: 'browse' });
    expect(((browse?.stages ?? []) as { target: number }[]).map((s) => s.target)).toEqual([
      40, 40, 0,
    ]);
    expect(logins).toMatchObject({ executor: 'constant-arrival-rate', timeUnit: '1m' });
    expect(logins?.rate as number).toBeLessThan(30);
    expect(Object.keys(loadScript.options.thresholds)).toEqual(
      expect.arrayContaining(['http_req_failed{cell:cell-1}', 'http_req_failed{cell:cell-2}']),
    );
  });

  it('failover sets zero-error and p95 thresholds on unaffected cells and fast-503 ones on the faulted cell', async () => {
    const { options } = await load('failover.ts', { FAULT_CELL: '2', CELLS: '3' });
    expect(options.scenarios.traffic).toMatchObject({ executor: 'constant-arrival-rate' });
    expect(options.scenarios.recovery_probe).toMatchObject({ exec: 'probe', vus: 1 });
    expect(options.thresholds).toMatchObject({
      'http_req_failed{cell:cell-1}': ['rate==0'],
      'http_req_duration{cell:cell-1}': ['p(95)<200'],
      'http_req_failed{cell:cell-3}': ['rate==0'],
      'http_req_duration{cell:cell-3}': ['p(95)<200'],
      'cell_unavailable_latency{cell:cell-2}': ['p(99)<50'],
      'cell_unavailable_total{cell:cell-2}': ['count>0'],
      recovery_seconds: ['max<5'],
      cell_mismatch: ['count==0'],
    });
    expect(options.thresholds).not.toHaveProperty('http_req_failed{cell:cell-2}');
  });

  it('failover without a fault holds every cell to zero errors', async () => {
    const { options } = await load('failover.ts', { CELLS: '2' });
    expect(options.scenarios).not.toHaveProperty('recovery_probe');
    expect(options.thresholds).toMatchObject({
      'http_req_failed{cell:cell-1}': ['rate==0'],
      'http_req_failed{cell:cell-2}': ['rate==0'],
    });
  });

  it('failover refuses a FAULT_CELL outside the expected cells', async () => {
    await expect(load('failover.ts', { FAULT_CELL: 'cell-7', CELLS: '3' })).rejects.toThrow(
      /FAULT_CELL cell-7/,
    );
  });

  it('handleSummary writes the JSON summary and a verdict naming each failed threshold', async () => {
    const failover = await load('failover.ts', { FAULT_CELL: 'cell-2' });
    const outputs = failover.handleSummary(summary);
    expect(Object.keys(outputs).sort()).toEqual([
      'loadtest/results/failover-summary.json',
      'loadtest/results/failover-verdict.txt',
      'stdout',
    ]);
    expect(JSON.parse(outputs['loadtest/results/failover-summary.json'] ?? '')).toEqual(summary);
    const verdict = outputs['loadtest/results/failover-verdict.txt'] ?? '';
    expect(verdict.split('\n')[0]).toBe('failover: FAIL (1/2 thresholds met, 61.0 s)');
    expect(verdict).toContain(
      'FAIL cell_unavailable_latency{cell:cell-2} p(99)<50 (measured 71.50)',
    );
    expect(verdict).toContain('ok   http_req_failed{cell:cell-1} rate==0 (measured 0)');
  });

  it('scripts import only k6 modules and local files', () => {
    const dir = path.resolve('loadtest');
    const files = [
      ...readdirSync(dir).filter((f) => f.endsWith('.ts')),
      ...readdirSync(path.join(dir, 'lib'))
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
        .map((f) => `lib/${f}`),
    ];
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      const specifiers = [...source.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
      for (const specifier of specifiers) {
        expect(specifier, `${file} imports ${specifier}`).toMatch(
          /^(k6(\/[a-z-]+)?|\.\.?\/.+\.ts)$/,
        );
      }
      expect(source, file).not.toMatch(/\bprocess\.|\brequire\(/);
    }
  });
});
