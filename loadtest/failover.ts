/**
 * Failover drill: a constant arrival rate of reads over users spread across
 * every cell while one part of one cell (FAULT_CELL) is killed and restarted
 * from outside (see run-failover.sh). It proves the cellular promise:
 *   - the other cells' users see zero errors and p95 < 200 ms;
 *   - the faulted cell's users get `503 cell_unavailable` with p99 < 50 ms;
 *   - they are served again within 5 s of the cell coming back.
 * Every request is tagged with the user's cell, found at setup from the
 * `x-cell-id` of `/v1/me`, and each answer's `x-cell-id` is checked against it
 * (`cell_mismatch` must stay 0: the router never sends a user elsewhere).
 */
import { check, fail, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
import type { Options, Scenario } from 'k6/options';
import {
  byCell,
  cellOf,
  errorCode,
  params,
  pick,
  provisionUsers,
  type Response,
  type Session,
  url,
} from './lib/api.ts';
import { envNumber, envString, expectedCells, normalizeCellId } from './lib/env.ts';
import {
  metricValue,
  SUMMARY_TREND_STATS,
  type SummaryData,
  summaryOutputs,
} from './lib/summary.ts';

const CELLS = expectedCells();
const FAULT_CELL = normalizeCellId(envString('FAULT_CELL', ''));
const FAULT_PART = envString('FAULT_PART', '');
/** Users to sign up; keep RATE / USERS under 2/s so no user meets the cell's 120/min limit. */
const USERS = envNumber('USERS', 60);
const MIN_USERS_PER_CELL = envNumber('MIN_USERS_PER_CELL', 3);
const RATE = envNumber('RATE', 30);
const DURATION = envString('DURATION', '90s');
const PATHS = envString('PATHS', '/v1/me,/v1/jobs?limit=10,/v1/events?limit=10')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
/** The faulted cell's own readiness URL, polled directly to know when it is back. */
const CELL_HEALTH_URL = envString(
  'CELL_HEALTH_URL',
  /^cell-\d+$/.test(FAULT_CELL)
    ? `http://127.0.0.1:${8100 + Number(FAULT_CELL.slice(5))}/health/ready`
    : '',
);
/** Killing the worker leaves the API serving, so no outage is expected then. */
const EXPECT_OUTAGE =
  envString('EXPECT_OUTAGE', FAULT_PART === 'worker' ? 'false' : 'true') === 'true';
const RECOVERY_BOUND_SECONDS = envNumber('RECOVERY_BOUND', 5);
/** Faulted-cell answers allowed outside the two 503s (a request in flight when the process died). */
const ALLOW_OTHER = envNumber('ALLOW_OTHER', 0);

if (FAULT_CELL !== '' && !CELLS.includes(FAULT_CELL)) {
  throw new Error(`FAULT_CELL ${FAULT_CELL} is not one of the expected cells ${CELLS.join(', ')}`);
}

/** Requests per cell as reported by the answer's own `x-cell-id` (`served_by` tag). */
const servedBy = new Counter('cell_requests');
/** Answers whose `x-cell-id` differs from the user's cell. Must stay 0. */
const cellMismatch = new Counter('cell_mismatch');
/** The two documented "not now" answers of a faulted cell (see `traffic`). */
const UNAVAILABLE_CODES = ['cell_unavailable', 'service_unavailable'];
/** `503 cell_unavailable` or `service_unavailable` answers with Retry-After, tagged by cell. */
const unavailable = new Counter('cell_unavailable_total');
/** Latency of those answers (ms), tagged by cell: every one, the detection window included. */
const unavailableLatency = new Trend('cell_unavailable_latency', true);
/** Faulted-cell answers that are neither 2xx nor one of those 503s. Must stay 0 (`ALLOW_OTHER` for a request in flight at the kill). */
const faultedOther = new Counter('faulted_cell_other_errors');
/** Seconds from the cell's own readiness returning to the first request served through the router. */
const recoverySeconds = new Trend('recovery_seconds');
/** Seconds from the first 503 to the first request served again (outage seen by users). */
const outageSeconds = new Trend('outage_seconds');
/** 1 when the probe's last request for the faulted cell was served. */
const servedAtEnd = new Gauge('faulted_cell_served_at_end');
/** Share of checks on cells not under fault. */
const healthyCellChecks = new Rate('healthy_cell_checks');

function scenarios(): Record<string, Scenario> {
  const all: Record<string, Scenario> = {
    traffic: {
      executor: 'constant-arrival-rate',
      exec: 'traffic',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(10, Math.ceil(RATE / 2)),
      maxVUs: Math.max(50, RATE * 4),
    },
  };
  if (FAULT_CELL !== '') {
    all.recovery_probe = { executor: 'constant-vus', exec: 'probe', vus: 1, duration: DURATION };
  }
  return all;
}

function thresholds(): Record<string, string[]> {
  const all: Record<string, string[]> = {
    cell_mismatch: ['count==0'],
    healthy_cell_checks: ['rate==1'],
  };
  for (const cell of CELLS) {
    if (cell === FAULT_CELL) {
      all[`cell_unavailable_latency{cell:${cell}}`] = ['p(99)<50'];
      if (EXPECT_OUTAGE) all[`cell_unavailable_total{cell:${cell}}`] = ['count>0'];
    } else {
      all[`http_req_failed{cell:${cell}}`] = ['rate==0'];
      all[`http_req_duration{cell:${cell}}`] = ['p(95)<200'];
      all[`cell_requests{served_by:${cell}}`] = ['count>0'];
    }
  }
  if (FAULT_CELL !== '') {
    all.faulted_cell_served_at_end = ['value==1'];
    all.faulted_cell_other_errors = [`count<=${ALLOW_OTHER}`];
    if (EXPECT_OUTAGE && CELL_HEALTH_URL !== '') {
      all.recovery_seconds = [`max<${RECOVERY_BOUND_SECONDS}`];
    }
  }
  return all;
}

export const options: Options = {
  setupTimeout: '5m',
  scenarios: scenarios(),
  thresholds: thresholds(),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export interface SetupData {
  cells: Record<string, Session[]>;
}

export function setup(): SetupData {
  let { sessions, failures } = provisionUsers(USERS, 'k6-failover');
  let groups = byCell(sessions);
  // Placement is a hash: sign up more users until every cell holds a few.
  for (
    let round = 0;
    round < 3 && CELLS.some((c) => (groups[c]?.length ?? 0) < MIN_USERS_PER_CELL);
    round++
  ) {
    const more = provisionUsers(USERS, `k6-failover-more${round}`);
    sessions = sessions.concat(more.sessions);
    for (const [key, n] of Object.entries(more.failures)) failures[key] = (failures[key] ?? 0) + n;
    groups = byCell(sessions);
  }
  const thin = CELLS.filter((c) => (groups[c]?.length ?? 0) < MIN_USERS_PER_CELL);
  if (thin.length > 0) {
    fail(
      `cells without ${MIN_USERS_PER_CELL} users after signup: ${thin.join(', ')}; ` +
        `signup failures ${JSON.stringify(failures)}; users per cell ${JSON.stringify(
          Object.fromEntries(Object.entries(groups).map(([c, s]) => [c, s.length])),
        )}. Is every cell up (make status), and are CELLS/CELL_IDS right?`,
    );
  }
  const unexpected = Object.keys(groups).filter((c) => !CELLS.includes(c));
  if (unexpected.length > 0)
    fail(`users placed on unexpected cells ${unexpected.join(', ')}; set CELLS or CELL_IDS`);
  console.log(
    `failover setup: ${sessions.length} users, ${CELLS.map((c) => `${c}=${groups[c]?.length ?? 0}`).join(' ')}; ` +
      `fault cell ${FAULT_CELL || 'none'}${FAULT_PART ? ` part ${FAULT_PART}` : ''}`,
  );
  return { cells: groups };
}

interface Outcome {
  res: Response;
  served: boolean;
  unavailable: boolean;
}

/** One read as `session`, tagged with its cell, recorded in the per-cell metrics. */
function read(session: Session, path: string, extraTags: Record<string, string> = {}): Outcome {
  const cell = session.cellId;
  const faulted = cell === FAULT_CELL;
  const tags = { cell, ...extraTags };
  const res = http.get(url(path), {
    ...params(`GET ${path.split('?')[0]}`, session.accessToken, tags),
    // The faulted cell's 503s are its expected answer, not a failure of the run.
    responseCallback: faulted ? http.expectedStatuses({ min: 200, max: 299 }, 503) : undefined,
  });
  const answeredBy = cellOf(res);
  if (answeredBy !== '') servedBy.add(1, { served_by: answeredBy });
  if (answeredBy !== '' && answeredBy !== cell)
    cellMismatch.add(1, { cell, served_by: answeredBy });
  const served = res.status === 200;
  // The router's `cell_unavailable` (the cell's API is down), or the cell's own
  // `service_unavailable` (its breaker: the API is up, its Postgres or Redis is not);
  // either way with Retry-After.
  const isUnavailable =
    res.status === 503 &&
    UNAVAILABLE_CODES.includes(errorCode(res) ?? '') &&
    res.headers['Retry-After'] !== undefined;
  if (isUnavailable) {
    unavailable.add(1, tags);
    unavailableLatency.add(res.timings.duration, tags);
  }
  if (faulted) {
    if (!served && !isUnavailable) faultedOther.add(1, { cell, status: String(res.status) });
  } else {
    healthyCellChecks.add(
      check(res, {
        'unaffected cell: 200': (r) => r.status === 200,
        'unaffected cell: answered by its own cell': (r) => cellOf(r) === cell,
      }),
      tags,
    );
  }
  return { res, served, unavailable: isUnavailable };
}

/** The constant-arrival-rate traffic: cells in turn, a random user and path of that cell. */
export function traffic(data: SetupData) {
  const cell = CELLS[exec.scenario.iterationInTest % CELLS.length] ?? CELLS[0] ?? '';
  const users = data.cells[cell];
  if (!users || users.length === 0) return;
  read(pick(users), pick(PATHS));
}

// Recovery probe state: one VU, so these module variables are its own.
let firstUnavailableAt = 0;
let cellDownSeen = false;
let cellBackAt = 0;
let recoveryRecorded = false;
let outageRecorded = false;

/**
 * Polls every 200 ms: the faulted cell through the router as one of its users
 * (rotating, to stay under the per-user rate limit) and, when known, the
 * cell's own readiness. Recovery is the time from the cell's readiness coming
 * back to the first request served through the router.
 */
export function probe(data: SetupData) {
  const users = data.cells[FAULT_CELL] ?? [];
  if (users.length === 0) return;
  const now = Date.now();
  if (CELL_HEALTH_URL !== '') {
    const health = http.get(CELL_HEALTH_URL, {
      timeout: '500ms',
      tags: { name: 'cell health (direct)', probe: 'cell-health' },
      responseCallback: http.expectedStatuses({ min: 200, max: 599 }),
    });
    if (health.status !== 200) {
      cellDownSeen = true;
      cellBackAt = 0;
    } else if (cellDownSeen && cellBackAt === 0) {
      cellBackAt = now;
    }
  }
  const outcome = read(users[exec.scenario.iterationInTest % users.length] as Session, '/v1/me', {
    probe: 'router',
  });
  if (outcome.unavailable && firstUnavailableAt === 0) firstUnavailableAt = now;
  servedAtEnd.add(outcome.served ? 1 : 0);
  if (outcome.served && firstUnavailableAt !== 0 && !outageRecorded) {
    outageRecorded = true;
    outageSeconds.add((Date.now() - firstUnavailableAt) / 1000);
  }
  if (outcome.served && cellBackAt !== 0 && !recoveryRecorded) {
    recoveryRecorded = true;
    recoverySeconds.add((Date.now() - cellBackAt) / 1000);
  }
  sleep(0.2);
}

export function handleSummary(data: SummaryData) {
  const notes: string[] = [`cells ${CELLS.join(', ')}; rate ${RATE}/s for ${DURATION}`];
  if (FAULT_CELL === '') {
    notes.push('no FAULT_CELL: baseline run, every cell must be error-free');
  } else {
    notes.push(`fault: ${FAULT_CELL}${FAULT_PART ? ` part ${FAULT_PART}` : ''}`);
    const outage = metricValue(data, 'outage_seconds', 'max');
    notes.push(
      outage === undefined
        ? 'users of the faulted cell saw no outage'
        : `users of the faulted cell were refused for ${outage.toFixed(2)} s`,
    );
    const other = metricValue(data, 'faulted_cell_other_errors', 'count');
    if (other)
      notes.push(
        `${other} faulted-cell answers were neither 2xx nor a 503 cell_unavailable/service_unavailable with Retry-After (allowed: ${ALLOW_OTHER})`,
      );
    if (EXPECT_OUTAGE && CELL_HEALTH_URL === '') {
      notes.push('recovery not measured: set CELL_HEALTH_URL to the cell readiness URL');
    } else if (EXPECT_OUTAGE && metricValue(data, 'recovery_seconds', 'max') === undefined) {
      notes.push('recovery not observed: did the cell come back before the run ended?');
    }
  }
  return summaryOutputs('failover', data, notes);
}
