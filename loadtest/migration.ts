/**
 * Placement drill through the router's admin API (the controls a cell
 * migration uses): under a constant arrival rate over users of every cell,
 * drain one cell (DRAIN_CELL), then activate it again. The data-copying
 * migration itself has no public API yet; this proves the parts that exist:
 *   - the drained cell's users get a fast `503 cell_draining` (p99 < 50 ms),
 *     within 2 s of the admin call, and never another cell;
 *   - every other cell's users see zero errors;
 *   - the drained cell's users are served again within 2 s of activation.
 * Needs ADMIN_TOKEN (printed by `make dev-cells`).
 */
import { check, fail, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import {
  byCell,
  cellOf,
  errorCode,
  field,
  body as jsonBody,
  params,
  pick,
  provisionUsers,
  type Session,
  url,
} from './lib/api.ts';
import { envNumber, envString, expectedCells, normalizeCellId } from './lib/env.ts';
import { SUMMARY_TREND_STATS, type SummaryData, summaryOutputs } from './lib/summary.ts';

const CELLS = expectedCells();
const DRAIN_CELL = normalizeCellId(envString('DRAIN_CELL', CELLS[CELLS.length - 1] ?? ''));
const ADMIN_TOKEN = envString('ADMIN_TOKEN', '');
const USERS = envNumber('USERS', 60);
const RATE = envNumber('RATE', 30);
const DRAIN_AFTER = envNumber('DRAIN_AFTER', 20);
const DRAIN_WINDOW = envNumber('DRAIN_WINDOW', 20);
const TAIL = envNumber('TAIL', 20);
/** Bound on control-plane propagation to the router (router issue: 2 s). */
const PROPAGATION_BOUND = envNumber('PROPAGATION_BOUND', 2);
const DURATION = `${DRAIN_AFTER + DRAIN_WINDOW + TAIL}s`;

const mismatch = new Counter('cell_mismatch');
const draining = new Counter('cell_draining_total');
const drainingLatency = new Trend('cell_draining_latency', true);
const drainPropagation = new Trend('drain_propagation_seconds');
const activatePropagation = new Trend('activate_propagation_seconds');
const adminOk = new Rate('admin_calls_ok');

export const options: Options = {
  setupTimeout: '5m',
  scenarios: {
    traffic: {
      executor: 'constant-arrival-rate',
      exec: 'traffic',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(10, Math.ceil(RATE / 2)),
      maxVUs: Math.max(50, RATE * 4),
    },
    admin: {
      executor: 'per-vu-iterations',
      exec: 'drainAndActivate',
      vus: 1,
      iterations: 1,
      startTime: `${DRAIN_AFTER}s`,
      maxDuration: `${DRAIN_WINDOW + TAIL}s`,
    },
  },
  thresholds: {
    cell_mismatch: ['count==0'],
    admin_calls_ok: ['rate==1'],
    [`cell_draining_latency{cell:${DRAIN_CELL}}`]: ['p(99)<50'],
    [`cell_draining_total{cell:${DRAIN_CELL}}`]: ['count>0'],
    drain_propagation_seconds: [`max<${PROPAGATION_BOUND}`],
    activate_propagation_seconds: [`max<${PROPAGATION_BOUND}`],
    ...Object.fromEntries(
      CELLS.filter((c) => c !== DRAIN_CELL).flatMap((c) => [
        [`http_req_failed{cell:${c}}`, ['rate==0']],
        [`http_req_duration{cell:${c}}`, ['p(95)<200']],
      ]),
    ),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export interface SetupData {
  cells: Record<string, Session[]>;
}

export function setup(): SetupData {
  if (ADMIN_TOKEN === '') fail('ADMIN_TOKEN is required (make dev-cells prints it)');
  if (!CELLS.includes(DRAIN_CELL))
    fail(`DRAIN_CELL ${DRAIN_CELL} is not one of ${CELLS.join(', ')}`);
  const { sessions, failures } = provisionUsers(USERS, 'k6-migration');
  const cells = byCell(sessions);
  const empty = CELLS.filter((c) => !cells[c]?.length);
  if (empty.length > 0)
    fail(`no users on ${empty.join(', ')}; signup failures ${JSON.stringify(failures)}`);
  return { cells };
}

/** A read as `session`; returns the error code ('' when served). */
function read(session: Session, tags: Record<string, string> = {}): string {
  const cell = session.cellId;
  const res = http.get(url('/v1/me'), {
    ...params('GET /v1/me', session.accessToken, { cell, ...tags }),
    responseCallback:
      cell === DRAIN_CELL ? http.expectedStatuses({ min: 200, max: 299 }, 503) : undefined,
  });
  const answeredBy = cellOf(res);
  if (answeredBy !== '' && answeredBy !== cell) mismatch.add(1, { cell, served_by: answeredBy });
  if (res.status === 503 && errorCode(res) === 'cell_draining') {
    draining.add(1, { cell });
    drainingLatency.add(res.timings.duration, { cell });
  }
  return res.status === 200 ? '' : errorCode(res) || String(res.status);
}

export function traffic(data: SetupData) {
  const cell = CELLS[exec.scenario.iterationInTest % CELLS.length] ?? '';
  const users = data.cells[cell];
  if (users?.length) read(pick(users));
}

function admin(method: 'POST' | 'GET', path: string) {
  const res = http.request(method, url(path), method === 'POST' ? '{}' : null, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    tags: { name: `${method} ${path.replace(DRAIN_CELL, ':cellId')}`, admin: 'true' },
  });
  adminOk.add(check(res, { [`admin ${method} ${path}: 200`]: (r) => r.status === 200 }));
  return res;
}

/** Seconds until `done()` holds for a read of the drained cell's user, polling every 50 ms. */
function waitFor(session: Session, done: (code: string) => boolean, boundSeconds: number): number {
  const started = Date.now();
  while ((Date.now() - started) / 1000 < boundSeconds * 3) {
    if (done(read(session, { probe: 'admin' }))) return (Date.now() - started) / 1000;
    sleep(0.05);
  }
  return Number.POSITIVE_INFINITY;
}

export function drainAndActivate(data: SetupData) {
  const user = pick(data.cells[DRAIN_CELL] ?? []);
  const where = admin('GET', `/admin/v1/placements/${user.userId}`);
  check(where, {
    'admin where: names the user cell': (r) => JSON.stringify(jsonBody(r)).includes(DRAIN_CELL),
  });
  const drained = admin('POST', `/admin/v1/cells/${DRAIN_CELL}/drain`);
  check(drained, {
    'drain: cell is draining': (r) => field(jsonBody(r), 'state', 'cell') === 'draining',
  });
  drainPropagation.add(waitFor(user, (code) => code === 'cell_draining', PROPAGATION_BOUND));
  sleep(DRAIN_WINDOW);
  const activated = admin('POST', `/admin/v1/cells/${DRAIN_CELL}/activate`);
  check(activated, {
    'activate: cell is active': (r) => field(jsonBody(r), 'state', 'cell') === 'active',
  });
  activatePropagation.add(waitFor(user, (code) => code === '', PROPAGATION_BOUND));
}

export function handleSummary(data: SummaryData) {
  return summaryOutputs('migration', data, [
    `drained ${DRAIN_CELL} after ${DRAIN_AFTER} s for ${DRAIN_WINDOW} s; rate ${RATE}/s over ${CELLS.join(', ')}`,
  ]);
}
