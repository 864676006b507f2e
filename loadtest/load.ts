/**
 * Steady load: a realistic mix at a ramping arrival rate over users of every
 * cell: profile reads and writes, job listing (with cursor paging) and search,
 * creating applications and polling them, plus a low, steady rate of logins
 * (the router limits logins per client IP). Run against a running platform:
 *   k6 run -e RATE=40 loadtest/load.ts
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import {
  as,
  body,
  byCell,
  field,
  items,
  login,
  pick,
  provisionUsers,
  type Response,
  relogin,
  type Session,
  url,
} from './lib/api.ts';
import { envNumber, envString, expectedCells } from './lib/env.ts';
import { manualJob, resumeDocument, SEARCH_TERMS } from './lib/fixtures.ts';
import { SUMMARY_TREND_STATS, type SummaryData, summaryOutputs } from './lib/summary.ts';

const CELLS = expectedCells();
/** Users to sign up in setup. Keep peak RATE × ~1.3 requests / USERS under 2/s (cell limit 120/min). */
const USERS = envNumber('USERS', 100);
/** Peak iterations per second of the browse mix. */
const RATE = envNumber('RATE', 20);
const RAMP = envString('RAMP', '1m');
const DURATION = envString('DURATION', '3m');
const JOBS_PER_USER = envNumber('JOBS_PER_USER', 3);
/** Logins per minute: stay under the router's LOGIN_LIMIT_PER_IP (30/min by default). */
const LOGINS_PER_MINUTE = envNumber('LOGINS_PER_MINUTE', 15);

export const options: Options = {
  setupTimeout: '10m',
  scenarios: {
    browse: {
      executor: 'ramping-arrival-rate',
      exec: 'browse',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: Math.max(10, RATE),
      maxVUs: Math.max(50, RATE * 5),
      stages: [
        { target: RATE, duration: RAMP },
        { target: RATE, duration: DURATION },
        { target: 0, duration: '30s' },
      ],
    },
    logins: {
      executor: 'constant-arrival-rate',
      exec: 'logins',
      rate: LOGINS_PER_MINUTE,
      timeUnit: '1m',
      duration: DURATION,
      startTime: RAMP,
      preAllocatedVUs: 2,
      maxVUs: 10,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{kind:read}': ['p(95)<200'],
    'http_req_duration{kind:write}': ['p(95)<500'],
    'http_req_duration{name:POST /v1/auth/login}': ['p(95)<1000'],
    ...Object.fromEntries(CELLS.map((cell) => [`http_req_failed{cell:${cell}}`, ['rate<0.01']])),
    ...Object.fromEntries(CELLS.map((cell) => [`http_req_duration{cell:${cell}}`, ['p(95)<300']])),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export interface User extends Session {
  jobIds: string[];
}

export interface SetupData {
  users: User[];
}

export function setup(): SetupData {
  const { sessions, failures } = provisionUsers(USERS, 'k6-load');
  if (sessions.length === 0) throw new Error(`no user could sign up: ${JSON.stringify(failures)}`);
  const users: User[] = sessions.map((s) => ({ ...s, jobIds: [] }));
  // Each user gets a profile and a few jobs added by hand, in batches.
  for (let start = 0; start < users.length; start += 10) {
    const slice = users.slice(start, start + 10);
    http.batch(
      slice.map((u) => ({
        method: 'PUT',
        url: url('/v1/profile'),
        body: JSON.stringify(resumeDocument(`Load User ${u.email.split('@')[0]}`)),
        params: as(u, 'PUT /v1/profile', { phase: 'setup' }),
      })),
    );
    for (let j = 0; j < JOBS_PER_USER; j++) {
      const created = http.batch(
        slice.map((u, i) => ({
          method: 'POST',
          url: url('/v1/jobs'),
          body: JSON.stringify(manualJob(start + i + j)),
          params: as(u, 'POST /v1/jobs', { phase: 'setup' }),
        })),
      );
      created.forEach((res, i) => {
        const id = field(body(res), 'id', 'job');
        if (id) slice[i]?.jobIds.push(id);
      });
    }
  }
  const groups = byCell(users);
  console.log(
    `load setup: ${users.length} users (${Object.entries(groups)
      .map(([c, list]) => `${c}=${list.length}`)
      .join(' ')}), failures ${JSON.stringify(failures)}`,
  );
  return { users };
}

// VU-local state: fresh tokens after a re-login, and applications this VU created.
const sessions: Record<string, Session> = {};
const applications: Record<string, string[]> = {};
const relogins = new Counter('relogins');

function current(user: User): Session {
  return sessions[user.email] ?? user;
}

/** Sends a request as `user`; on 401 (access token expired) logs in again and retries once. */
function send(user: User, run: (session: Session) => Response): Response {
  const res = run(current(user));
  if (res.status !== 401) return res;
  const fresh = relogin(current(user));
  if (!fresh) return res;
  relogins.add(1);
  sessions[user.email] = fresh;
  return run(fresh);
}

const read = (name: string) => ({ kind: 'read', action: name });
const write = (name: string) => ({ kind: 'write', action: name });

function profileRead(user: User) {
  const res = send(user, (s) =>
    http.get(url('/v1/profile'), as(s, 'GET /v1/profile', read('profile-read'))),
  );
  check(res, { 'profile read: 200': (r) => r.status === 200 });
}

function profileWrite(user: User) {
  const document = resumeDocument(
    `Load User ${user.email.split('@')[0]}`,
    exec.scenario.iterationInTest,
  );
  const res = send(user, (s) =>
    http.put(
      url('/v1/profile'),
      JSON.stringify(document),
      as(s, 'PUT /v1/profile', write('profile-write')),
    ),
  );
  check(res, { 'profile write: 2xx': (r) => r.status >= 200 && r.status < 300 });
}

function jobList(user: User) {
  const first = send(user, (s) =>
    http.get(url('/v1/jobs?limit=20'), as(s, 'GET /v1/jobs', read('job-list'))),
  );
  check(first, { 'job list: 200': (r) => r.status === 200 });
  const cursor = field(body(first), 'nextCursor') || field(body(first), 'cursor');
  if (cursor && Math.random() < 0.3) {
    const next = send(user, (s) =>
      http.get(
        url(`/v1/jobs?limit=20&cursor=${encodeURIComponent(cursor)}`),
        as(s, 'GET /v1/jobs', read('job-list')),
      ),
    );
    check(next, { 'job list next page: 200': (r) => r.status === 200 });
  }
}

function jobSearch(user: User) {
  const q = pick(SEARCH_TERMS);
  const res = send(user, (s) =>
    http.get(
      url(`/v1/jobs?q=${q}&limit=20&minScore=10`),
      as(s, 'GET /v1/jobs?q', read('job-search')),
    ),
  );
  check(res, { 'job search: 200': (r) => r.status === 200 });
}

function createApplication(user: User) {
  // A fresh job each time: applying twice to one job is a 409 by design.
  const job = send(user, (s) =>
    http.post(
      url('/v1/jobs'),
      JSON.stringify(manualJob(exec.scenario.iterationInTest)),
      as(s, 'POST /v1/jobs', write('job-create')),
    ),
  );
  const jobId = field(body(job), 'id', 'job');
  if (!check(job, { 'job create: 2xx with id': (r) => r.status < 300 && jobId !== '' })) return;
  const res = send(user, (s) =>
    http.post(
      url('/v1/applications'),
      JSON.stringify({ jobId, mode: 'review', channel: 'manual' }),
      as(s, 'POST /v1/applications', write('application-create')),
    ),
  );
  const id = field(body(res), 'applicationId');
  if (check(res, { 'application create: 202': (r) => r.status === 202 && id !== '' })) {
    const mine = applications[user.email] ?? [];
    mine.push(id);
    applications[user.email] = mine.slice(-20);
  }
}

function pollApplication(user: User) {
  const mine = applications[user.email];
  if (!mine || mine.length === 0) {
    const res = send(user, (s) =>
      http.get(url('/v1/applications'), as(s, 'GET /v1/applications', read('application-list'))),
    );
    check(res, {
      'application list: 200': (r) => r.status === 200 && Array.isArray(items(r, 'applications')),
    });
    return;
  }
  const id = pick(mine);
  const res = send(user, (s) =>
    http.get(
      url(`/v1/applications/${id}`),
      as(s, 'GET /v1/applications/:id', read('application-poll')),
    ),
  );
  check(res, {
    'application poll: 200 with status': (r) =>
      r.status === 200 && field(body(r), 'status', 'application') !== '',
  });
}

/** The mix, by weight out of 100. */
const MIX: Array<[number, (user: User) => void]> = [
  [25, profileRead],
  [10, profileWrite],
  [25, jobList],
  [15, jobSearch],
  [5, createApplication],
  [20, pollApplication],
];

export function browse(data: SetupData) {
  const user = pick(data.users);
  let roll = Math.random() * 100;
  for (const [weight, action] of MIX) {
    roll -= weight;
    if (roll < 0) {
      action(user);
      return;
    }
  }
}

export function logins(data: SetupData) {
  const user = data.users[exec.scenario.iterationInTest % data.users.length];
  if (!user) return;
  const res = login(user.email, user.password);
  check(res, {
    'login: 200 with token': (r) => r.status === 200 && field(body(r), 'accessToken') !== '',
  });
}

export function handleSummary(data: SummaryData) {
  return summaryOutputs('load', data, [
    `peak ${RATE} iterations/s over ${USERS} users, ${LOGINS_PER_MINUTE} logins/min, cells ${CELLS.join(', ')}`,
  ]);
}
