/**
 * A thin client of the platform's public API for k6 scripts: signup and login
 * through the router, authenticated request parameters tagged by cell, and
 * tolerant readers of JSON bodies and headers.
 */

import type { Params, RefinedResponse, ResponseType } from 'k6/http';
import http from 'k6/http';
import { BASE_URL } from './env.ts';

export type Response = RefinedResponse<ResponseType | undefined>;
export type Json = Record<string, unknown>;

/** A user the scripts act as. `cellId` is the `x-cell-id` of its `/v1/me` answer. */
export interface Session {
  email: string;
  password: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  cellId: string;
}

export const PASSWORD = 'k6-load-test-password-1';

export function url(path: string): string {
  return `${BASE_URL}${path}`;
}

/** Header lookup that does not depend on how k6 canonicalizes names. */
export function header(res: Response, name: string): string {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(res.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return '';
}

/** The cell that answered, as the router reports it. */
export function cellOf(res: Response): string {
  return header(res, 'x-cell-id');
}

/** The JSON body as an object, or `{}` when it is absent or not JSON. */
export function body(res: Response): Json {
  if (typeof res.body !== 'string' || res.body === '') return {};
  try {
    const parsed: unknown = JSON.parse(res.body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

/** `error.code` of the platform's one error body, or ''. */
export function errorCode(res: Response): string {
  const error = body(res).error;
  if (typeof error === 'object' && error !== null) {
    const code = (error as Json).code;
    if (typeof code === 'string') return code;
  }
  return '';
}

/** The list of a collection answer: `items`, `data`, or a named array, whichever it has. */
export function items(res: Response, ...names: string[]): Json[] {
  if (typeof res.body === 'string' && res.body.startsWith('[')) {
    try {
      return JSON.parse(res.body) as Json[];
    } catch {
      return [];
    }
  }
  const parsed = body(res);
  for (const name of ['items', 'data', ...names]) {
    const value = parsed[name];
    if (Array.isArray(value)) return value as Json[];
  }
  return [];
}

/** A string field, also looked up one level down (`{job: {id}}`). */
export function field(value: Json, name: string, ...parents: string[]): string {
  const direct = value[name];
  if (typeof direct === 'string') return direct;
  for (const parent of parents) {
    const nested = value[parent];
    if (typeof nested === 'object' && nested !== null) {
      const inner = (nested as Json)[name];
      if (typeof inner === 'string') return inner;
    }
  }
  return '';
}

/** Request parameters: JSON, bearer token, a stable `name` tag, plus `tags`. */
export function params(
  name: string,
  token?: string,
  tags: Record<string, string> = {},
  extra: Params = {},
): Params {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return { ...extra, headers, tags: { name, ...tags } };
}

/** Parameters of a request made as `session`, tagged with the session's cell. */
export function as(session: Session, name: string, tags: Record<string, string> = {}): Params {
  return params(name, session.accessToken, { cell: session.cellId, ...tags });
}

function sessionFrom(res: Response, email: string): Omit<Session, 'cellId'> | undefined {
  const parsed = body(res);
  const userId = field(parsed, 'id', 'user');
  const accessToken = field(parsed, 'accessToken');
  const refreshToken = field(parsed, 'refreshToken');
  if (!accessToken || !refreshToken) return undefined;
  return { email, password: PASSWORD, userId, accessToken, refreshToken };
}

export function signupRequest(email: string, name: string) {
  return {
    method: 'POST',
    url: url('/v1/auth/signup'),
    body: JSON.stringify({ email, password: PASSWORD, name }),
    params: params('POST /v1/auth/signup'),
  };
}

export function login(email: string, password = PASSWORD): Response {
  return http.post(
    url('/v1/auth/login'),
    JSON.stringify({ email, password }),
    params('POST /v1/auth/login'),
  );
}

/** Logs in again and returns the refreshed session, or undefined. */
export function relogin(session: Session): Session | undefined {
  const res = login(session.email, session.password);
  const fresh = res.status === 200 ? sessionFrom(res, session.email) : undefined;
  return fresh
    ? { ...fresh, userId: fresh.userId || session.userId, cellId: session.cellId }
    : undefined;
}

/** `GET /v1/me` as this token; the answer's `x-cell-id` is the user's cell. */
export function me(accessToken: string, tags: Record<string, string> = {}): Response {
  return http.get(url('/v1/me'), params('GET /v1/me', accessToken, tags));
}

export interface Provisioned {
  sessions: Session[];
  failures: Record<string, number>;
}

/**
 * Signs `count` new users up through the router, `batch` at a time, and finds
 * each user's cell from the `x-cell-id` of its `/v1/me` answer. Failures are
 * counted by status and error code so setup can say why a cell has no users.
 */
export function provisionUsers(count: number, prefix: string, batch = 10): Provisioned {
  const sessions: Session[] = [];
  const failures: Record<string, number> = {};
  const fail = (res: Response) => {
    const key = `${res.status} ${errorCode(res) || res.error || ''}`.trim();
    failures[key] = (failures[key] ?? 0) + 1;
  };
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  for (let start = 0; start < count; start += batch) {
    const emails: string[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      emails.push(`${prefix}-${run}-${i}@loadtest.example.com`);
    }
    const signups = http.batch(
      emails.map((email, i) => signupRequest(email, `Load User ${start + i}`)),
    );
    const pending: Omit<Session, 'cellId'>[] = [];
    signups.forEach((res, i) => {
      const session = res.status === 201 ? sessionFrom(res, emails[i] ?? '') : undefined;
      if (session) pending.push(session);
      else fail(res);
    });
    const whos = http.batch(
      pending.map((s) => ({
        method: 'GET',
        url: url('/v1/me'),
        params: params('GET /v1/me', s.accessToken, { phase: 'setup' }),
      })),
    );
    whos.forEach((res, i) => {
      const session = pending[i];
      const cellId = cellOf(res);
      if (session && res.status === 200 && cellId) {
        sessions.push({ ...session, userId: session.userId || field(body(res), 'userId'), cellId });
      } else {
        fail(res);
      }
    });
  }
  return { sessions, failures };
}

/** Sessions grouped by cell id. */
export function byCell(sessions: Session[]): Record<string, Session[]> {
  const groups: Record<string, Session[]> = {};
  for (const session of sessions) {
    const group = groups[session.cellId] ?? [];
    group.push(session);
    groups[session.cellId] = group;
  }
  return groups;
}

export function pick<T>(list: readonly T[]): T {
  const value = list[Math.floor(Math.random() * list.length)];
  if (value === undefined) throw new Error('pick from an empty list');
  return value;
}
