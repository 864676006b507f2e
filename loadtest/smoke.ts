/**
 * Smoke test: one user walks every public endpoint once, through the router,
 * with a check on each answer. Run against a running platform:
 *   k6 run loadtest/smoke.ts
 */
import { check, fail, group, sleep } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import {
  as,
  body,
  cellOf,
  errorCode,
  field,
  items,
  login,
  PASSWORD,
  params,
  type Response,
  type Session,
  signupRequest,
  url,
} from './lib/api.ts';
import { envNumber } from './lib/env.ts';
import { manualJob, resumeDocument } from './lib/fixtures.ts';
import { SUMMARY_TREND_STATS, type SummaryData, summaryOutputs } from './lib/summary.ts';

/** Seconds to wait for an application's workflow to reach approval and then submission. */
const WORKFLOW_WAIT = envNumber('WORKFLOW_WAIT', 60);

export const options: Options = {
  scenarios: {
    smoke: { executor: 'shared-iterations', vus: 1, iterations: 1, maxDuration: '5m' },
  },
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

const ok2xx = (res: Response) => res.status >= 200 && res.status < 300;
const expect401 = { responseCallback: http.expectedStatuses(401) };
const expect409 = { responseCallback: http.expectedStatuses(409) };
const expectApproval = { responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 409) };

function json(value: unknown): string {
  return JSON.stringify(value);
}

function authGroup(): Session {
  const email = `k6-smoke-${Date.now().toString(36)}@loadtest.example.com`;
  const signup = http.post(
    url('/v1/auth/signup'),
    signupRequest(email, 'Smoke Tëst 検査').body,
    params('POST /v1/auth/signup'),
  );
  const created = body(signup);
  check(signup, {
    'signup: 201': (r) => r.status === 201,
    'signup: access and refresh tokens': () =>
      field(created, 'accessToken') !== '' && field(created, 'refreshToken') !== '',
  });
  if (signup.status !== 201) fail(`signup failed: ${signup.status} ${signup.body}`);

  const loggedIn = login(email);
  check(loggedIn, {
    'login: 200': (r) => r.status === 200,
    'login: access token': (r) => field(body(r), 'accessToken') !== '',
  });

  const refreshed = http.post(
    url('/v1/auth/refresh'),
    json({ refreshToken: field(body(loggedIn), 'refreshToken') }),
    params('POST /v1/auth/refresh'),
  );
  const rotated = body(refreshed);
  check(refreshed, {
    'refresh: 200': (r) => r.status === 200,
    'refresh: rotates the refresh token': () =>
      field(rotated, 'refreshToken') !== '' &&
      field(rotated, 'refreshToken') !== field(body(loggedIn), 'refreshToken'),
  });

  const accessToken = field(rotated, 'accessToken') || field(created, 'accessToken');
  const who = http.get(url('/v1/me'), params('GET /v1/me', accessToken));
  check(who, {
    'me: 200': (r) => r.status === 200,
    'me: answered with x-cell-id': (r) => cellOf(r) !== '',
    'me: same user as signup': (r) => field(body(r), 'userId') === field(created, 'id', 'user'),
  });
  return {
    email,
    password: PASSWORD,
    userId: field(created, 'id', 'user'),
    accessToken,
    refreshToken: field(rotated, 'refreshToken') || field(created, 'refreshToken'),
    cellId: cellOf(who),
  };
}

function profileGroup(session: Session) {
  const document = resumeDocument('Smoke Tëst 検査');
  const put = http.put(url('/v1/profile'), json(document), as(session, 'PUT /v1/profile'));
  check(put, { 'profile put: 2xx': ok2xx });
  const get = http.get(url('/v1/profile'), as(session, 'GET /v1/profile'));
  check(get, {
    'profile get: 200': (r) => r.status === 200,
    'profile get: unicode name kept exactly': (r) =>
      JSON.stringify(body(r)).includes('Smoke Tëst 検査'),
    'profile get: unknown-to-us fields kept': (r) => JSON.stringify(body(r)).includes('ETH Zürich'),
  });
}

function jobSourcesGroup(session: Session) {
  const created = http.post(
    url('/v1/job-sources'),
    json({
      provider: 'greenhouse',
      board: 'k6smoke',
      filters: { keywords: ['typescript'], remote: true },
    }),
    as(session, 'POST /v1/job-sources'),
  );
  const id = field(body(created), 'id', 'source', 'jobSource');
  check(created, { 'job-source create: 2xx with id': (r) => ok2xx(r) && id !== '' });
  const list = http.get(url('/v1/job-sources'), as(session, 'GET /v1/job-sources'));
  check(list, {
    'job-source list: 200': (r) => r.status === 200,
    'job-source list: has the new source': (r) =>
      items(r, 'sources', 'jobSources').some((s) => s.id === id),
  });
  const removed = http.del(
    url(`/v1/job-sources/${id}`),
    null,
    as(session, 'DELETE /v1/job-sources/:id'),
  );
  check(removed, { 'job-source delete: 2xx': ok2xx });
}

function jobsGroup(session: Session): string {
  const created = http.post(url('/v1/jobs'), json(manualJob(1)), as(session, 'POST /v1/jobs'));
  const id = field(body(created), 'id', 'job');
  check(created, { 'job create: 2xx with id': (r) => ok2xx(r) && id !== '' });
  const list = http.get(url('/v1/jobs?limit=20'), as(session, 'GET /v1/jobs'));
  check(list, {
    'job list: 200': (r) => r.status === 200,
    'job list: has the new job': (r) =>
      items(r, 'jobs').some((j) => j.id === id || field(j, 'id', 'job') === id),
  });
  const search = http.get(url('/v1/jobs?q=typescript&limit=20'), as(session, 'GET /v1/jobs?q'));
  check(search, { 'job search: 200': (r) => r.status === 200 });
  const one = http.get(url(`/v1/jobs/${id}`), as(session, 'GET /v1/jobs/:id'));
  check(one, { 'job get: 200': (r) => r.status === 200 });
  const saved = http.patch(
    url(`/v1/jobs/${id}`),
    json({ status: 'saved' }),
    as(session, 'PATCH /v1/jobs/:id'),
  );
  check(saved, { 'job patch: 2xx': ok2xx });
  return id;
}

function eventsGroup(session: Session) {
  const events = http.get(url('/v1/events?limit=50'), as(session, 'GET /v1/events'));
  check(events, {
    'events: 200': (r) => r.status === 200,
    'events: at least one event recorded': (r) => items(r, 'events').length > 0,
  });
}

function applicationStatus(session: Session, id: string): string {
  const res = http.get(url(`/v1/applications/${id}`), as(session, 'GET /v1/applications/:id'));
  return field(body(res), 'status', 'application');
}

function applicationsGroup(session: Session, jobId: string) {
  const created = http.post(
    url('/v1/applications'),
    json({ jobId, mode: 'review', channel: 'manual' }),
    as(session, 'POST /v1/applications'),
  );
  const id = field(body(created), 'applicationId');
  check(created, {
    'application create: 202': (r) => r.status === 202,
    'application create: applicationId and status': (r) =>
      id !== '' && field(body(r), 'status') !== '',
  });
  const again = http.post(
    url('/v1/applications'),
    json({ jobId, mode: 'review', channel: 'manual' }),
    { ...as(session, 'POST /v1/applications'), ...expect409 },
  );
  check(again, {
    'application create twice: 409 already_applied': (r) =>
      r.status === 409 && errorCode(r) === 'already_applied',
  });
  const one = http.get(url(`/v1/applications/${id}`), as(session, 'GET /v1/applications/:id'));
  check(one, { 'application get: 200': (r) => r.status === 200 });
  const list = http.get(url('/v1/applications'), as(session, 'GET /v1/applications'));
  check(list, {
    'application list: 200': (r) => r.status === 200,
    'application list: has the new application': (r) =>
      items(r, 'applications').some((a) => a.id === id || a.applicationId === id),
  });

  // The workflow runs asynchronously: approve once it waits for approval
  // (until then the cell answers 409 invalid_state), then wait for submission.
  let approve: Response | undefined;
  const deadline = Date.now() + WORKFLOW_WAIT * 1000;
  while (Date.now() < deadline) {
    approve = http.post(url(`/v1/applications/${id}/approve`), json({}), {
      ...as(session, 'POST /v1/applications/:id/approve'),
      ...expectApproval,
    });
    if (approve.status !== 409 || errorCode(approve) !== 'invalid_state') break;
    sleep(1);
  }
  check(approve as Response, { 'application approve: 2xx': (r) => r !== undefined && ok2xx(r) });

  let status = applicationStatus(session, id);
  while (status !== 'submitted' && Date.now() < deadline) {
    sleep(1);
    status = applicationStatus(session, id);
  }
  check(status, { 'application: submitted after approval': (s) => s === 'submitted' });
  const outcome = http.post(
    url(`/v1/applications/${id}/outcome`),
    json({ status: 'viewed', note: 'k6 smoke' }),
    as(session, 'POST /v1/applications/:id/outcome'),
  );
  check(outcome, { 'application outcome: 2xx': ok2xx });
}

function insightsGroup(session: Session) {
  const analytics = http.get(url('/v1/analytics'), as(session, 'GET /v1/analytics'));
  check(analytics, { 'analytics: 200': (r) => r.status === 200 });
  const notifications = http.get(url('/v1/notifications'), as(session, 'GET /v1/notifications'));
  check(notifications, { 'notifications: 200': (r) => r.status === 200 });
}

function logoutGroup(session: Session) {
  const logout = http.post(
    url('/v1/auth/logout'),
    json({ refreshToken: session.refreshToken }),
    params('POST /v1/auth/logout', session.accessToken),
  );
  check(logout, { 'logout: 204': (r) => r.status === 204 });
  const reuse = http.post(url('/v1/auth/refresh'), json({ refreshToken: session.refreshToken }), {
    ...params('POST /v1/auth/refresh'),
    ...expect401,
  });
  check(reuse, { 'refresh after logout: 401': (r) => r.status === 401 });
}

export default function smoke() {
  let session: Session | undefined;
  group('auth', () => {
    session = authGroup();
  });
  if (!session) return;
  const user = session;
  let jobId = '';
  group('profile', () => profileGroup(user));
  group('job sources', () => jobSourcesGroup(user));
  group('jobs', () => {
    jobId = jobsGroup(user);
  });
  group('events', () => eventsGroup(user));
  group('applications', () => applicationsGroup(user, jobId));
  group('analytics and notifications', () => insightsGroup(user));
  group('logout', () => logoutGroup(user));
}

export function handleSummary(data: SummaryData) {
  return summaryOutputs('smoke', data);
}
