/**
 * The API contract under generated bad input (issue 17): every route of the
 * cell's Hono app, driven straight at a real cell (signed as the router signs)
 * and through a real router (with a real access token and spoofed identity
 * headers), with `fast-check`:
 *
 * - wrong types, missing and extra fields (mutations of a valid body per route);
 * - huge strings and deep nesting; invalid UTF-8 and lone surrogates;
 * - odd content types and duplicate JSON keys;
 * - numbers out of range and bad cursors in queries; path traversal in ids.
 *
 * Bars: no 5xx, no request left unanswered (a hang), every 4xx in the one
 * error format, and no answer carrying another user's data. The seed is
 * random per run and printed; `FUZZ_SEED=<n>` replays a run, `FUZZ_API_RUNS`
 * sets the number of requests (at least 10,000 in `make test`).
 */
import { serve } from '@hono/node-server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateControlPlane } from '../../router/control-plane/migrate.ts';
import { type RunningRouter, startRouter } from '../../router/testing/router-fixture.ts';
import { createTestCell, TEST_ROUTER_SECRET, type TestCell } from '../harness/cell.ts';
import { createTestDatabase, type TestDatabase } from '../harness/databases.ts';
import { type PdfService, SAMPLE_RESUME_TEXT, startPdfService } from '../harness/workflow.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Requests per run, split between the cell and the router. */
const RUNS = Number(process.env.FUZZ_API_RUNS ?? 10_000);
/** An answer slower than this is a hang (generous: the machine is shared). */
const HANG_MS = 10_000;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A valid body per route (`METHOD path`, as in the cell app's routes). The
 * test fails when a route that takes a body has none here, so a new route is
 * fuzzed from the day it lands. `null`: the route takes no body.
 */
function validBodies(ids: UserIds): Record<string, unknown> {
  const resume = JSON.parse(SAMPLE_RESUME_TEXT) as Record<string, unknown>;
  return {
    'PUT /v1/profile': resume,
    'POST /v1/profile/preview.pdf': resume,
    'PUT /v1/profile/answers': {
      workAuthorisation: 'Yes',
      noticePeriod: '4 weeks',
      custom: [{ question: 'Why us?', answer: 'Fuzzing.' }],
    },
    'POST /v1/jobs': {
      title: 'Backend Engineer',
      company: 'Fuzz Corp',
      description: 'Build APIs in TypeScript and PostgreSQL.',
      url: 'https://example.com/jobs/1',
      location: 'Remote',
    },
    'PATCH /v1/jobs/:id': { status: 'saved' },
    'POST /v1/job-sources': { provider: 'greenhouse', board: 'fuzz' },
    'DELETE /v1/job-sources/:id': null,
    'POST /v1/applications': { jobId: ids.jobId, mode: 'review', channel: 'manual' },
    'POST /v1/applications/:id/cover-letter': {},
    'POST /v1/applications/:id/approve': {},
    'POST /v1/applications/:id/submission': { delivered: true },
    'POST /v1/applications/:id/outcome': { status: 'interview', note: 'fuzz' },
    'PUT /v1/channels/:channel/credentials': {
      url: 'http://127.0.0.1:9/hook',
      secret: 'webhook-secret-0123456789',
    },
    'DELETE /v1/channels/:channel/credentials': null,
    'PUT /v1/notifications/webhook': {
      url: 'http://127.0.0.1:9/hook',
      secret: 'webhook-secret-0123456789',
    },
    'DELETE /v1/notifications/webhook': null,
    'PUT /internal/v1/users/:userId': { email: 'fuzz@example.test', name: 'Fuzz' },
    'PUT /internal/v1/users/:userId/data': { format: 2, userId: ids.userId, tables: {} },
    'PUT /internal/v1/users/:userId/freeze': null,
    'DELETE /internal/v1/users/:userId/freeze': null,
    'PUT /internal/v1/users/:userId/tombstone': { movedTo: 'cell-2' },
    'DELETE /internal/v1/users/:userId/tombstone': null,
    'POST /internal/v1/users/:userId/activate': null,
    'DELETE /internal/v1/users/:userId/data': null,
    // Signed for a user here, as every request of this suite: the batch routes must refuse
    // them all (`403`), whatever the body; their own bad input is in user-data.int.test.ts.
    'POST /internal/v1/user-batches/dump': { userIds: [ids.userId] },
    'PUT /internal/v1/user-batches/data': { format: 2, userId: ids.userId, tables: {} },
    // The router's own routes, fuzzed through the router.
    'POST /v1/auth/signup': { email: 'new@example.test', password: 'long enough password' },
    'POST /v1/auth/login': { email: 'new@example.test', password: 'long enough password' },
    'POST /v1/auth/refresh': { refreshToken: 'not-a-token' },
    'POST /v1/auth/logout': { refreshToken: 'not-a-token' },
    'DELETE /v1/account': { password: 'not the password' },
  };
}

/** Query parameters the routes read, with values meant to break them. */
const QUERY_NAMES = ['limit', 'cursor', 'status', 'version', 'q', 'minScore', 'remote', 'waitMs'];
const NASTY_STRINGS = [
  '',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '../../../../etc/passwd',
  '..%2F..%2Fadmin',
  '%00',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '💥'.repeat(50),
  'eyJpZCI6Im5vcGUifQ',
  'Ym9ndXM=',
  'a'.repeat(10_000),
  "' or 1=1 --",
  '<script>alert(1)</script>',
];

interface UserIds {
  userId: string;
  jobId: string;
  applicationId: string;
  jobSourceId: string;
}

interface Fuzzed {
  method: string;
  route: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

/** A string as one path segment; lone surrogates become their UTF-8 replacement bytes. */
function pathSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

const nasty = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer().map(String),
  fc.double().map(String),
);

/** Breaks a valid JSON value: drop, retype or add fields, or swap it for junk. */
function mutated(valid: unknown): fc.Arbitrary<unknown> {
  const junk = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(-1, 1e308, Number.MAX_SAFE_INTEGER + 2, true, null, [], 'x'.repeat(300_000)),
    nasty,
  );
  if (!valid || typeof valid !== 'object' || Array.isArray(valid)) return junk;
  const keys = Object.keys(valid);
  const record = valid as Record<string, unknown>;
  return fc.oneof(
    { arbitrary: fc.constant(valid), weight: 1 },
    {
      arbitrary: fc
        .subarray(keys)
        .map((kept) => Object.fromEntries(kept.map((k) => [k, record[k]]))),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...(keys.length > 0 ? keys : ['x'])), junk)
        .map(([k, v]) => ({ ...record, [k]: v })),
      weight: 4,
    },
    {
      arbitrary: fc
        .tuple(fc.string({ maxLength: 20 }), junk)
        .map(([k, v]) => ({ ...record, [k]: v })),
      weight: 2,
    },
    { arbitrary: junk, weight: 2 },
  );
}

/** The raw bytes of a body: JSON, or text no JSON encoder would write. */
function rawBody(valid: unknown): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { arbitrary: mutated(valid).map((v) => JSON.stringify(v) ?? 'undefined'), weight: 8 },
    { arbitrary: fc.constant(`${'['.repeat(50_000)}${']'.repeat(50_000)}`), weight: 1 },
    { arbitrary: fc.constant(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`), weight: 1 },
    {
      arbitrary: fc.constant('{"title":"a","title":{"x":1},"status":"saved","status":7}'),
      weight: 1,
    },
    { arbitrary: fc.constant('{"name":"\\ud800 lone","summary":"\\udfff"}'), weight: 1 },
    {
      arbitrary: fc.constant(
        Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]),
      ),
      weight: 1,
    },
    { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 },
    { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
    { arbitrary: fc.constant(''), weight: 1 },
  );
}

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/merge-patch+json',
  'application/x-ndjson',
  '',
);

interface Route {
  method: string;
  path: string;
}

/** A request against one route: its id parameters, query, headers and body fuzzed. */
function request(
  routes: Route[],
  bodies: Record<string, unknown>,
  own: string[],
  others: string[],
) {
  const id = fc.oneof(
    { arbitrary: fc.constantFrom(...own), weight: 4 },
    { arbitrary: fc.constantFrom(...others), weight: 3 },
    { arbitrary: fc.uuid(), weight: 1 },
    { arbitrary: nasty.map(pathSegment), weight: 2 },
    {
      arbitrary: fc.constantFrom(
        '..',
        '..%2F..%2Fv1%2Fme',
        '%2e%2e',
        '%C3%28',
        '%ED%A0%80',
        '%FF',
        'webhook',
      ),
      weight: 1,
    },
  );
  const query = fc.dictionary(fc.constantFrom(...QUERY_NAMES), nasty, { maxKeys: 3 });
  return fc
    .record({
      route: fc.constantFrom(...routes),
      params: fc.array(id, { minLength: 4, maxLength: 4 }),
      query,
      type: contentType,
      withBody: fc.boolean(),
    })
    .chain(({ route, params, query, type, withBody }) => {
      const key = `${route.method} ${route.path}`;
      const valid = bodies[key];
      const body =
        METHODS_WITH_BODY.has(route.method) && (withBody || valid !== null)
          ? rawBody(valid).map((b): string | Uint8Array | undefined => b)
          : fc.constant(undefined);
      return body.map((b): Fuzzed => {
        let i = 0;
        const path = route.path.replace(/:[A-Za-z]+/g, () => params[i++ % params.length] as string);
        const search = new URLSearchParams(query).toString();
        return {
          method: route.method,
          route: key,
          path: search ? `${path}?${search}` : path,
          headers: b === undefined || type === '' ? {} : { 'content-type': type },
          body: b,
        };
      });
    });
}

let cell: TestCell;
let pdf: PdfService;
let cellServer: ReturnType<typeof serve>;
let controlPlane: TestDatabase;
let router: RunningRouter;
let routes: Route[];
/** Per user: a token, every id they own, and strings only their data holds. */
type User = {
  n: number;
  id: string;
  token: string;
  ids: UserIds;
  owned: string[];
  secrets: string[];
};
const users: User[] = [];

async function json(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Signs a user up through the router and gives them a profile, a job, a source and an application. */
async function seedUser(n: number) {
  const marker = `Zebulon${n}Quartermaine${Math.random().toString(36).slice(2, 10)}`;
  const email = `fuzz-${n}-${Date.now()}@example.test`;
  const auth = await json(
    await fetch(`${router.url}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery', name: marker }),
    }),
  );
  const token = auth.accessToken as string;
  const userId = (auth.user as { id: string }).id;
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${router.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(json);
  const resume = JSON.parse(SAMPLE_RESUME_TEXT) as { basics: Record<string, unknown> };
  resume.basics.name = marker;
  resume.basics.summary = `${marker} summary only this user has.`;
  await call('PUT', '/v1/profile', resume);
  const job = await call('POST', '/v1/jobs', {
    title: `${marker} Engineer`,
    company: `${marker} Corp`,
    description: `Secret posting of ${marker}: TypeScript and PostgreSQL.`,
  });
  const jobId = (job.id ?? (job.job as { id: string }).id) as string;
  const source = await call('POST', '/v1/job-sources', { provider: 'greenhouse', board: `b${n}` });
  const application = await call('POST', '/v1/applications', { jobId, mode: 'review' });
  const ids: UserIds = {
    userId,
    jobId,
    jobSourceId: (source.id ?? (source.source as { id: string })?.id) as string,
    applicationId: (application.id ?? (application.application as { id: string })?.id) as string,
  };
  const exported = JSON.stringify(await call('GET', '/v1/export'));
  const owned = [
    ...new Set(exported.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)),
  ];
  users.push({ n, id: userId, token, ids, owned, secrets: [marker, email] });
  users.sort((a, b) => a.n - b.n);
}

beforeAll(async () => {
  // The real PDF service: the preview and cover-letter routes render what the fuzz sends.
  pdf = await startPdfService(1);
  cell = await createTestCell({
    cellId: 'cell-1',
    rateLimitPerMinute: 1_000_000,
    config: { PDF_SERVICE_URL: pdf.url },
  });
  cellServer = serve({ fetch: cell.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => cellServer.once('listening', () => resolve()));
  const address = cellServer.address() as { port: number };
  controlPlane = await createTestDatabase(migrateControlPlane);
  await controlPlane.sql`insert into cells (id, url, weight)
                         values ('cell-1', ${`http://127.0.0.1:${address.port}`}, 1)`;
  router = await startRouter(controlPlane.url, {
    ROUTER_SECRET: TEST_ROUTER_SECRET,
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
  });
  // Alice is fuzzed through the router, Carol straight at the cell (at the same time, so
  // one's freeze never meets the other's requests); Bob's data must never show up.
  await Promise.all([seedUser(1), seedUser(2), seedUser(3)]);
  routes = cell.app.routes
    .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
    .map((r) => ({ method: r.method, path: r.path }))
    .filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.path === r.path) === i);
}, 120_000);

afterAll(async () => {
  await router?.close();
  await new Promise((resolve) => cellServer?.close(resolve));
  await cell?.close();
  await pdf?.close();
  await controlPlane?.drop();
});

/** Answers per status class, printed at the end: the run must reach the handlers, not only the guards. */
const tally = new Map<string, number>();

/** Checks one answer against the bars; returns the problem, or null. */
async function problemOf(res: Response, attacker: User): Promise<string | null> {
  const text = await res.text();
  const code =
    res.status < 400 ? `${res.status}` : `${res.status} ${/"code":"(\w+)"/.exec(text)?.[1]}`;
  tally.set(code, (tally.get(code) ?? 0) + 1);
  if (res.status >= 500) return `${res.status}: ${text.slice(0, 300)}`;
  for (const other of users) {
    if (other === attacker) continue;
    for (const secret of other.secrets) {
      if (text.includes(secret)) return `${res.status} leaks another user's data (${secret})`;
    }
  }
  if (res.status >= 400) {
    let body: { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
    try {
      body = JSON.parse(text);
    } catch {
      return `${res.status} is not JSON: ${text.slice(0, 200)}`;
    }
    const error = body.error;
    if (
      !error ||
      typeof error.code !== 'string' ||
      typeof error.message !== 'string' ||
      typeof error.requestId !== 'string'
    ) {
      return `${res.status} is not in the one error format: ${text.slice(0, 200)}`;
    }
  }
  return null;
}

async function timed(run: () => Promise<Response>): Promise<Response> {
  const signal = AbortSignal.timeout(HANG_MS);
  const res = await Promise.race([
    run(),
    new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error(`no answer in ${HANG_MS} ms`))),
    ),
  ]);
  return res;
}

describe(`the API under generated bad input (FUZZ_SEED=${SEED})`, () => {
  it('has a valid body for every cell route that takes one', () => {
    const bodies = validBodies(users[0]?.ids as UserIds);
    const missing = routes
      .filter((r) => METHODS_WITH_BODY.has(r.method))
      .map((r) => `${r.method} ${r.path}`)
      .filter((key) => !(key in bodies));
    expect(missing).toEqual([]);
  });

  it.concurrent('answers every request straight at the cell with a 2xx or a 4xx in the one error format', async () => {
    const [, bob, alice] = users as [User, User, User]; // Carol plays the attacker here
    const bodies = validBodies(alice.ids);
    const own = [...alice.owned, alice.id];
    await fc.assert(
      fc.asyncProperty(request(routes, bodies, own, bob.owned), async (r) => {
        const res = await timed(async () =>
          cell.app.request(r.path, {
            method: r.method,
            headers: cell.signedHeaders(alice.id, r.headers),
            body: r.body,
          }),
        );
        const problem = await problemOf(res, alice);
        if (problem) throw new Error(`${r.method} ${r.path.slice(0, 200)}: ${problem}`);
        // A freeze or tombstone that went through is undone, so the run keeps
        // reaching the handlers rather than the user-state guard.
        if (r.route.startsWith(`${r.method} /internal/`) && res.status < 300) {
          for (const undo of ['/freeze', '/tombstone']) {
            await cell.app.request(`/internal/v1/users/${alice.id}${undo}`, {
              method: 'DELETE',
              headers: cell.signedHeaders(alice.id),
            });
          }
        }
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS * 0.6), endOnFailure: true },
    );
  }, 900_000);

  it.concurrent('answers every request through the router, whatever identity headers it spoofs', async () => {
    const [alice, bob] = users as [User, User];
    const bodies = validBodies(alice.ids);
    const own = [...alice.owned, alice.id];
    const publicRoutes = [
      ...routes.filter((r) => r.path.startsWith('/v1/')),
      ...['signup', 'login', 'refresh', 'logout'].map((name) => ({
        method: 'POST',
        path: `/v1/auth/${name}`,
      })),
      { method: 'DELETE', path: '/v1/account' },
    ];
    const spoofed = fc.record(
      {
        'x-user-id': fc.constantFrom(bob.id, alice.id, 'admin'),
        'x-router-signature': fc.constantFrom('0'.repeat(64), 'forged'),
        'x-cell-id': fc.constantFrom('cell-1', 'cell-2', '../cell-1'),
        'x-request-id': fc.constantFrom('fuzz', 'x'.repeat(5_000), '\u0007'),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(request(publicRoutes, bodies, own, bob.owned), spoofed, async (r, spoof) => {
        const headers = new Headers({ authorization: `Bearer ${alice.token}`, ...r.headers });
        for (const [name, value] of Object.entries(spoof)) {
          // A header fetch itself refuses to send cannot reach the router either.
          if (/^[\t\x20-\x7e]*$/.test(value)) headers.set(name, value);
        }
        const res = await timed(() =>
          fetch(`${router.url}${r.path}`, { method: r.method, headers, body: r.body }),
        );
        const problem = await problemOf(res, alice);
        if (problem) throw new Error(`${r.method} ${r.path.slice(0, 200)}: ${problem}`);
      }),
      { seed: SEED, numRuns: Math.floor(RUNS * 0.4), endOnFailure: true },
    );
  }, 900_000);

  it('reached the handlers: a share of the answers are successes and validation refusals', () => {
    const count = (match: (code: string) => boolean) =>
      [...tally].filter(([code]) => match(code)).reduce((sum, [, n]) => sum + n, 0);
    const total = count(() => true);
    process.stdout.write(
      `api fuzz, FUZZ_SEED=${SEED}: ${JSON.stringify(Object.fromEntries([...tally].sort((a, b) => b[1] - a[1])))}\n`,
    );
    expect(total).toBeGreaterThanOrEqual(RUNS);
    expect(count((code) => code.startsWith('2')) / total).toBeGreaterThan(0.1);
    expect(count((code) => code.endsWith('validation_failed')) / total).toBeGreaterThan(0.05);
  });
});
