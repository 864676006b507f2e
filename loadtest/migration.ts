/**
 * Rebalance drill (issue 13): under a constant arrival rate over users of
 * every cell (reads of /v1/me and writes that add a job), register a new,
 * already running cell (NEW_CELL at NEW_CELL_URL) through the admin API after
 * ADD_AFTER seconds; the router's migrator then moves exactly the users whose
 * ring owner is the new cell, live. Thresholds:
 *   - no unexpected answer: every request succeeds, except moved users'
 *     writes refused with `503 user_migrating` during their own freeze
 *     (so users who do not move see zero errors);
 *   - no answer with missing data (`404` on /v1/me);
 *   - the rebalance finishes within REBALANCE_BOUND seconds, with no failed user;
 *   - the other cells' p95 stays under 200 ms.
 * The new cell must run and be unregistered: start it with the orchestrator
 * (`node --import tsx deploy/local/cli.ts add-cell` registers it too; for the
 * drill, unregister it again with `cellctl remove cell-4` while it is empty),
 * then: `ADMIN_TOKEN=… k6 run -e NEW_CELL=cell-4 -e NEW_CELL_URL=http://127.0.0.1:8104 loadtest/migration.ts`.
 * Needs ADMIN_TOKEN (printed by `make dev-cells`).
 */
import { check, fail, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import {
  byCell,
  errorCode,
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
const NEW_CELL = normalizeCellId(envString('NEW_CELL', `cell-${CELLS.length + 1}`));
const NEW_CELL_URL = envString('NEW_CELL_URL', `http://127.0.0.1:${8100 + CELLS.length + 1}`);
const ADMIN_TOKEN = envString('ADMIN_TOKEN', '');
const USERS = envNumber('USERS', 60);
const RATE = envNumber('RATE', 30);
const ADD_AFTER = envNumber('ADD_AFTER', 15);
const REBALANCE_BOUND = envNumber('REBALANCE_BOUND', 60);
const TAIL = envNumber('TAIL', 15);
const DURATION = `${ADD_AFTER + REBALANCE_BOUND + TAIL}s`;

const unexpected = new Counter('unexpected_answers');
const missing = new Counter('missing_data');
const migrating = new Counter('user_migrating_total');
const rebalanceSeconds = new Trend('rebalance_seconds');
const failedUsers = new Counter('rebalance_failed_users');
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
      exec: 'addCellAndRebalance',
      vus: 1,
      iterations: 1,
      startTime: `${ADD_AFTER}s`,
      maxDuration: `${REBALANCE_BOUND + TAIL}s`,
    },
  },
  thresholds: {
    unexpected_answers: ['count==0'],
    missing_data: ['count==0'],
    admin_calls_ok: ['rate==1'],
    rebalance_seconds: [`max<${REBALANCE_BOUND}`],
    rebalance_failed_users: ['count==0'],
    ...Object.fromEntries(CELLS.map((c) => [`http_req_duration{cell:${c}}`, ['p(95)<200']])),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export interface SetupData {
  cells: Record<string, Session[]>;
}

export function setup(): SetupData {
  if (ADMIN_TOKEN === '') fail('ADMIN_TOKEN is required (make dev-cells prints it)');
  if (CELLS.includes(NEW_CELL)) fail(`NEW_CELL ${NEW_CELL} is already one of ${CELLS.join(', ')}`);
  const { sessions, failures } = provisionUsers(USERS, 'k6-rebalance');
  const cells = byCell(sessions);
  const empty = CELLS.filter((c) => !cells[c]?.length);
  if (empty.length > 0)
    fail(`no users on ${empty.join(', ')}; signup failures ${JSON.stringify(failures)}`);
  return { cells };
}

const allowed = http.expectedStatuses({ min: 200, max: 299 }, 503);

export function traffic(data: SetupData) {
  const cell = CELLS[exec.scenario.iterationInTest % CELLS.length] ?? '';
  const users = data.cells[cell];
  if (!users?.length) return;
  const user = pick(users);
  const read = http.get(url('/v1/me'), params('GET /v1/me', user.accessToken, { cell }));
  if (read.status === 404) missing.add(1, { cell });
  if (read.status !== 200) unexpected.add(1, { cell, method: 'GET', status: String(read.status) });
  if (exec.scenario.iterationInTest % 4 !== 0) return;
  const write = http.post(
    url('/v1/jobs'),
    JSON.stringify({ title: 'Drill', company: 'k6', description: 'TypeScript and PostgreSQL' }),
    { ...params('POST /v1/jobs', user.accessToken, { cell }), responseCallback: allowed },
  );
  if (write.status === 503 && errorCode(write) === 'user_migrating') migrating.add(1, { cell });
  else if (write.status < 200 || write.status > 299) {
    unexpected.add(1, { cell, method: 'POST', status: String(write.status) });
  }
}

function admin(method: 'POST' | 'GET', path: string, payload?: unknown) {
  const res = http.request(
    method,
    url(path),
    payload === undefined ? null : JSON.stringify(payload),
    {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      tags: { name: `${method} ${path}`, admin: 'true' },
    },
  );
  adminOk.add(
    check(res, { [`admin ${method} ${path}: 2xx`]: (r) => r.status >= 200 && r.status < 300 }),
  );
  return res;
}

export function addCellAndRebalance() {
  const started = Date.now();
  const added = admin('POST', '/admin/v1/cells', { id: NEW_CELL, url: NEW_CELL_URL });
  const operation = (jsonBody(added) as { operation?: { id?: string } | null }).operation;
  if (!operation?.id) return;
  while ((Date.now() - started) / 1000 < REBALANCE_BOUND * 2) {
    const res = admin('GET', `/admin/v1/operations/${operation.id}`);
    const op = (jsonBody(res) as { operation?: { state?: string; users?: { failed?: number } } })
      .operation;
    if (op?.state && op.state !== 'running' && op.state !== 'cancelling') {
      rebalanceSeconds.add((Date.now() - started) / 1000);
      failedUsers.add(op.users?.failed ?? 0);
      return;
    }
    sleep(0.5);
  }
  rebalanceSeconds.add(Number.POSITIVE_INFINITY);
}

export function handleSummary(data: SummaryData) {
  return summaryOutputs('migration', data, [
    `registered ${NEW_CELL} (${NEW_CELL_URL}) after ${ADD_AFTER} s; rate ${RATE}/s over ${CELLS.join(', ')}`,
  ]);
}
