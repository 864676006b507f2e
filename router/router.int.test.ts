import { request as httpRequest } from 'node:http';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../lib/ids.ts';
import { createTestDatabase, type TestDatabase, testRedisUrl } from '../test/harness/databases.ts';
import { migrateControlPlane } from './control-plane/migrate.ts';
import { FakeCell } from './testing/fake-cell.ts';
import { type RunningRouter, startRouter, TEST_SECRETS } from './testing/router-fixture.ts';

let db: TestDatabase;
let cells: FakeCell[];
let routers: RunningRouter[];

async function withCells(count: number): Promise<FakeCell[]> {
  cells = [];
  for (let i = 1; i <= count; i++) {
    const cell = new FakeCell({ id: `cell-${i}`, secret: TEST_SECRETS.ROUTER_SECRET });
    await cell.start();
    cells.push(cell);
    await db.sql`insert into cells (id, url, weight) values (${cell.id}, ${cell.url}, 1)`;
  }
  return cells;
}

async function router(env: Record<string, string> = {}): Promise<RunningRouter> {
  const started = await startRouter(db.url, env);
  routers.push(started);
  return started;
}

function cellById(id: string | null): FakeCell {
  const cell = cells.find((c) => c.id === id);
  if (!cell) throw new Error(`no cell ${id}`);
  return cell;
}

interface Session {
  user: { id: string; email: string };
  cellId: string;
  accessToken: string;
  refreshToken: string;
}

async function post(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function signup(base: string, email = `u-${newId()}@example.com`): Promise<Session> {
  const res = await post(base, '/v1/auth/signup', {
    email,
    password: 'correct horse',
    name: 'Ada',
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Session;
}

function authed(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}

/** A user id whose recorded placement is `cellId` (no account: the proxy only needs the placement). */
async function userOnCell(r: RunningRouter, cellId: string): Promise<string> {
  const id = newId();
  await db.sql`insert into placements (user_id, cell_id, reason) values (${id}, ${cellId}, 'ring')`;
  await r.services.sync.reloadUsers([id]);
  return id;
}

async function tokenFor(userId: string, secret: string = TEST_SECRETS.JWT_SECRET, exp = '15m') {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer('cellular-router')
    .setAudience('cellular-api')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}

/** Sends `target` exactly as written: fetch would resolve dot segments before sending. */
function rawGet(
  base: string,
  target: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeEach(async () => {
  db = await createTestDatabase(migrateControlPlane);
  routers = [];
  cells = [];
});

afterEach(async () => {
  for (const r of routers) await r.close();
  for (const cell of cells) await cell.stop();
  await db.drop();
});

describe('identity', () => {
  it('signs up, initialises the user in its ring cell and proxies with a verified identity', async () => {
    await withCells(3);
    const r = await router();
    const session = await signup(r.url);
    const ringCell = r.services.directory.place(session.user.id)?.cell.id;
    expect(session.cellId).toBe(ringCell);
    expect(cellById(session.cellId).users.has(session.user.id)).toBe(true);

    const res = await fetch(`${r.url}/v1/echo?x=1&y=two`, {
      headers: authed(session.accessToken, { 'x-request-id': 'client-request-0001' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('client-request-0001');
    expect(res.headers.get('x-cell-id')).toBe(ringCell);
    const echo = (await res.json()) as {
      cell: string;
      userId: string;
      query: string;
      path: string;
    };
    expect(echo).toMatchObject({
      cell: ringCell,
      userId: session.user.id,
      path: '/v1/echo',
      query: '?x=1&y=two',
    });
  });

  it('logs in, rotates refresh tokens, revokes a replayed family and logs out', async () => {
    await withCells(1);
    const r = await router();
    const email = `Mixed-${newId()}@Example.com`;
    const first = await signup(r.url, email);

    const wrong = await post(r.url, '/v1/auth/login', { email, password: 'wrong password' });
    expect(wrong.status).toBe(401);
    const login = await post(r.url, '/v1/auth/login', {
      email: email.toUpperCase(),
      password: 'correct horse',
    });
    expect(login.status).toBe(200);
    const session = (await login.json()) as Session;
    expect(session.user.id).toBe(first.user.id);

    const rotated = await post(r.url, '/v1/auth/refresh', { refreshToken: session.refreshToken });
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as Session;
    expect(next.refreshToken).not.toBe(session.refreshToken);
    const ping = await fetch(`${r.url}/v1/ping`, { headers: authed(next.accessToken) });
    expect(ping.status).toBe(200);

    // Replaying the used token is theft: it fails and takes the new one down with it.
    const replay = await post(r.url, '/v1/auth/refresh', { refreshToken: session.refreshToken });
    expect(replay.status).toBe(401);
    const afterReplay = await post(r.url, '/v1/auth/refresh', { refreshToken: next.refreshToken });
    expect(afterReplay.status).toBe(401);

    const logout = await post(r.url, '/v1/auth/logout', { refreshToken: first.refreshToken });
    expect(logout.status).toBe(204);
    const afterLogout = await post(r.url, '/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(afterLogout.status).toBe(401);
  });

  it('rejects a second signup with the same email with 409', async () => {
    await withCells(1);
    const r = await router();
    const email = `dup-${newId()}@example.com`;
    await signup(r.url, email);
    const again = await post(r.url, '/v1/auth/signup', {
      email,
      password: 'another one',
      name: 'B',
    });
    expect(again.status).toBe(409);
  });

  it('limits login attempts per email with 429 and Retry-After', async () => {
    await withCells(1);
    const r = await router({ LOGIN_LIMIT_PER_EMAIL: '3' });
    const email = `limited-${newId()}@example.com`;
    for (let i = 0; i < 3; i++) {
      expect((await post(r.url, '/v1/auth/login', { email, password: 'nope' })).status).toBe(401);
    }
    const limited = await post(r.url, '/v1/auth/login', { email, password: 'nope' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });

  it('limits login attempts per IP across emails', async () => {
    await withCells(1);
    const r = await router({ LOGIN_LIMIT_PER_IP: '2' });
    await post(r.url, '/v1/auth/login', { email: 'a@example.com', password: 'x' });
    await post(r.url, '/v1/auth/login', { email: 'b@example.com', password: 'x' });
    const limited = await post(r.url, '/v1/auth/login', { email: 'c@example.com', password: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('shares the login limit between two router replicas through the shared Redis', async () => {
    await withCells(1);
    const env = {
      LOGIN_LIMIT_REDIS_URL: testRedisUrl(),
      LOGIN_LIMIT_PER_EMAIL: '4',
      LOGIN_LIMIT_PER_IP: '1000',
    };
    const [a, b] = [await router(env), await router(env)];
    const email = `shared-limit-${newId()}@example.com`;
    // Four attempts in all, alternating replicas: each replica alone has seen only two.
    for (const r of [a, b, a, b]) {
      expect((await post(r.url, '/v1/auth/login', { email, password: 'nope' })).status).toBe(401);
    }
    for (const r of [a, b]) {
      const limited = await post(r.url, '/v1/auth/login', { email, password: 'nope' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('keeps login working on each replica’s own counts while the shared Redis is down', async () => {
    await withCells(1);
    // Nothing listens on port 9: every Redis command fails at once.
    const r = await router({
      LOGIN_LIMIT_REDIS_URL: 'redis://127.0.0.1:9',
      LOGIN_LIMIT_PER_EMAIL: '2',
      LOGIN_LIMIT_PER_IP: '1000',
    });
    const email = `redis-down-${newId()}@example.com`;
    for (let i = 0; i < 2; i++) {
      expect((await post(r.url, '/v1/auth/login', { email, password: 'nope' })).status).toBe(401);
    }
    expect((await post(r.url, '/v1/auth/login', { email, password: 'nope' })).status).toBe(429);
  });

  it('fails signup with 503 cell_unavailable and no account when the cell is down, and a retry works', async () => {
    const [cell] = await withCells(1);
    if (!cell) throw new Error('no cell');
    const r = await router();
    const email = `retry-${newId()}@example.com`;
    await cell.stop();
    const down = await post(r.url, '/v1/auth/signup', {
      email,
      password: 'correct horse',
      name: 'A',
    });
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe(
      'cell_unavailable',
    );
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await db.sql`select 1 from accounts where email = ${email}`).length).toBe(0);

    await cell.start();
    cell.initStatus = 500;
    await expect.poll(() => r.services.health.isUp('cell-1'), { timeout: 5_000 }).toBe(true);
    const refused = await post(r.url, '/v1/auth/signup', {
      email,
      password: 'correct horse',
      name: 'A',
    });
    expect(refused.status).toBe(503);
    expect((await db.sql`select 1 from accounts where email = ${email}`).length).toBe(0);
    expect((await db.sql`select 1 from refresh_tokens`).length).toBe(0);

    cell.initStatus = 201;
    const ok = await signup(r.url, email);
    expect(cell.users.has(ok.user.id)).toBe(true);
  });
});

describe('security', () => {
  it('drops spoofed identity headers and replaces an invalid request id', async () => {
    await withCells(2);
    const r = await router();
    const session = await signup(r.url);
    const victim = newId();
    const res = await fetch(`${r.url}/v1/echo`, {
      headers: authed(session.accessToken, {
        'x-user-id': victim,
        'x-cell-id': 'cell-9',
        'x-router-signature': 't=1,v1=00',
        'x-request-id': 'bad id with spaces',
      }),
    });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as { userId: string; headers: Record<string, string> };
    expect(echo.userId).toBe(session.user.id);
    expect(echo.headers['x-cell-id']).toBe(session.cellId);
    expect(echo.headers['x-request-id']).not.toBe('bad id with spaces');
    expect(echo.headers['x-request-id']).toBe(res.headers.get('x-request-id'));
    expect(echo.headers.authorization).toBeUndefined();
  });

  it('answers 401 to missing, malformed, expired and wrongly signed tokens without calling a cell', async () => {
    await withCells(1);
    const r = await router();
    const userId = newId();
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not.a.jwt' },
      { authorization: 'Basic abc' },
      authed(await tokenFor(userId, TEST_SECRETS.JWT_SECRET, '-1m')),
      authed(await tokenFor(userId, 'another-secret-another-secret-another-secret')),
      authed(await tokenFor('not-a-uuid')),
    ];
    for (const headers of cases) {
      const res = await fetch(`${r.url}/v1/echo`, { headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    expect(cells[0]?.seen.length).toBe(0);
  });

  it('answers 404, 405, 400 and 415 to bad requests, never 500', async () => {
    await withCells(1);
    const r = await router();
    // (`/nope` itself is a page of the web app when it is built: a file name is not.)
    expect((await fetch(`${r.url}/nope.txt`)).status).toBe(404);
    // (`/admin` is the operator console's page; the operator API is `/admin/v1`.)
    expect(
      (await fetch(`${r.url}/admin/v1/nope`, { headers: authed(TEST_SECRETS.ADMIN_TOKEN) })).status,
    ).toBe(404);
    expect((await fetch(`${r.url}/v1/auth/login`)).status).toBe(405);
    const badJson = await fetch(`${r.url}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const invalid = await post(r.url, '/v1/auth/signup', { email: 'nope', password: 'x' });
    expect(invalid.status).toBe(400);
    const notJson = await fetch(`${r.url}/v1/auth/login`, { method: 'POST', body: 'a=b' });
    expect(notJson.status).toBe(415);
    const badRefresh = await post(r.url, '/v1/auth/refresh', { refreshToken: 'unknown' });
    expect(badRefresh.status).toBe(401);
    // U+0000 cannot be stored or looked up in Postgres: the client's input, a 400 (found by the
    // API fuzz: a login whose email was "\u0000" answered 500).
    for (const [path, body] of [
      ['/v1/auth/login', { email: '\u0000', password: 'long enough password' }],
      ['/v1/auth/signup', { email: 'nul@example.com', password: 'long enough', name: 'A\u0000' }],
    ] as const) {
      const nul = await post(r.url, path, body);
      expect(nul.status, path).toBe(400);
      expect(((await nul.json()) as { error: { code: string } }).error.code).toBe(
        'validation_failed',
      );
    }
    expect((await fetch(`${r.url}/admin/v1/cells`)).status).toBe(401);
    expect(
      (await fetch(`${r.url}/admin/v1/cells`, { headers: authed('x'.repeat(40)) })).status,
    ).toBe(401);
  });
});

describe('proxy', () => {
  it('answers 504 cell_timeout when the cell sends no headers in time', async () => {
    await withCells(1);
    const r = await router({ CELL_HEADERS_TIMEOUT_MS: '300' });
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    const res = await fetch(`${r.url}/v1/slow?ms=3000`, { headers: authed(token) });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('cell_timeout');
  });

  it('answers 413 to a declared or streamed body over the limit', async () => {
    await withCells(1);
    const r = await router({ BODY_LIMIT_BYTES: '1000' });
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    const declared = await fetch(`${r.url}/v1/upload`, {
      method: 'POST',
      headers: authed(token),
      body: Buffer.alloc(5000),
    });
    expect(declared.status).toBe(413);
    expect(cells[0]?.seen.length).toBe(0);

    const chunks = [Buffer.alloc(600), Buffer.alloc(600)];
    const streamed = await fetch(`${r.url}/v1/upload`, {
      method: 'POST',
      headers: authed(token),
      body: new ReadableStream({
        pull(controller) {
          const chunk = chunks.shift();
          if (chunk) controller.enqueue(chunk);
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);

    const fits = await fetch(`${r.url}/v1/upload`, {
      method: 'POST',
      headers: authed(token),
      body: Buffer.alloc(900),
    });
    expect(await fits.json()).toEqual({ bytes: 900 });
  });

  it('streams a 5 MB response to the client before the cell has finished writing it', async () => {
    const [cell] = await withCells(1);
    if (!cell) throw new Error('no cell');
    const r = await router();
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    const total = 5 * 1024 * 1024;
    const res = await fetch(`${r.url}/v1/big?hold=1&bytes=${total}`, { headers: authed(token) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    // The cell is holding after its first chunk: a buffering proxy could not have sent us anything.
    expect(first.value?.byteLength).toBeGreaterThan(0);
    expect(cell.bigBytesWritten).toBeLessThan(total);
    cell.releaseHeld();
    let received = first.value?.byteLength ?? 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
    expect(received).toBe(total);
  });

  it('drops the request to the cell when the client leaves, before or during the answer', async () => {
    const [cell] = await withCells(1);
    if (!cell) throw new Error('no cell');
    const r = await router();
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    const waiting = new AbortController();
    const slow = fetch(`${r.url}/v1/slow?ms=5000`, {
      headers: authed(token),
      signal: waiting.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    waiting.abort();
    await expect(slow).rejects.toThrow();
    await expect.poll(() => cell.abandoned, { timeout: 2_000 }).toBe(1);

    const reading = new AbortController();
    const big = await fetch(`${r.url}/v1/big?hold=1`, {
      headers: authed(token),
      signal: reading.signal,
    });
    await (big.body as ReadableStream<Uint8Array>).getReader().read();
    reading.abort();
    cell.releaseHeld();

    const after = await fetch(`${r.url}/v1/ping`, { headers: authed(token) });
    expect(after.status).toBe(200);
  });

  it('streams an upload through to the cell', async () => {
    await withCells(1);
    const r = await router();
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    const res = await fetch(`${r.url}/v1/upload`, {
      method: 'PUT',
      headers: authed(token, { 'content-type': 'application/octet-stream' }),
      body: Buffer.alloc(1_000_000, 7),
    });
    expect(await res.json()).toEqual({ bytes: 1_000_000 });
  });
});

describe('request targets and headers', () => {
  it('proxies a dot-segment or percent-encoded target as normalised, never out of /v1', async () => {
    const [cell] = await withCells(1);
    if (!cell) throw new Error('no cell');
    const r = await router();
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    const dotted = await rawGet(r.url, '/v1/x/../echo?a=1', authed(token));
    expect(dotted.status).toBe(200);
    expect(JSON.parse(dotted.body)).toMatchObject({ path: '/v1/echo', query: '?a=1' });
    expect(dotted.headers['x-cell-id']).toBe('cell-1');

    const bare = await rawGet(r.url, '/v1', authed(token));
    expect(bare.headers['x-cell-id']).toBe('cell-1');
    expect(cell.seen.at(-1)?.url).toBe('/v1');

    const encoded = await rawGet(r.url, '/v1/%65cho', authed(token));
    expect(encoded.headers['x-cell-id']).toBe('cell-1');
    expect(cell.seen.at(-1)?.url).toBe('/v1/%65cho');

    // Resolved to /admin/v1/cells by the router: served by the admin API, not sent to a cell.
    const seen = cell.seen.length;
    const escaped = await rawGet(r.url, '/v1/../admin/v1/cells', authed(TEST_SECRETS.ADMIN_TOKEN));
    expect(escaped.status).toBe(200);
    expect(JSON.parse(escaped.body)).toHaveProperty('cells');
    expect(cell.seen.length).toBe(seen);
  });

  it('strips hop-by-hop headers, keeps the client request id and names the cell', async () => {
    const [cell] = await withCells(1);
    if (!cell) throw new Error('no cell');
    const r = await router();
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    const res = await rawGet(
      r.url,
      '/v1/echo',
      authed(token, {
        connection: 'keep-alive, x-hop',
        'x-hop': 'secret',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'x-request-id': 'client-request-0001',
        'x-kept': 'yes',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('client-request-0001');
    expect(res.headers['x-cell-id']).toBe('cell-1');
    const forwarded = (JSON.parse(res.body) as { headers: Record<string, string> }).headers;
    expect(forwarded['x-kept']).toBe('yes');
    expect(forwarded['x-request-id']).toBe('client-request-0001');
    for (const name of ['x-hop', 'te', 'keep-alive', 'authorization']) {
      expect(forwarded[name]).toBeUndefined();
    }
  });

  it('takes the scheme in any case and spacing, before and after the token is known', async () => {
    await withCells(1);
    const r = await router();
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    // The first is verified in full (not known yet); the last takes the known-token fast path.
    const forms = [`Bearer ${token}`, `bearer ${token}`, `BEARER \t ${token}`, `Bearer ${token}`];
    for (const authorization of forms) {
      const res = await fetch(`${r.url}/v1/ping`, { headers: { authorization } });
      expect(res.status, authorization.slice(0, 10)).toBe(200);
    }
    for (const authorization of [`Bearer ${token} extra`, `Bearer  ${token}x`, `Basic ${token}`]) {
      const res = await fetch(`${r.url}/v1/ping`, { headers: { authorization } });
      expect(res.status, authorization.slice(0, 10)).toBe(401);
    }
  });

  it("filters a cell's answer headers whatever their case", async () => {
    await withCells(1);
    const r = await router();
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    const res = await rawGet(r.url, '/v1/mixed-case-headers', authed(token));
    expect(res.status).toBe(200);
    expect(res.headers['x-custom']).toBe('kept');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['x-hop-out']).toBeUndefined();
    expect(res.headers['x-router-signature']).toBeUndefined();
    expect(res.headers['x-cell-id']).toBe('cell-1');
    expect(res.headers['x-request-id']).not.toBe('spoofed');
  });

  it('drops the connection, and keeps serving, when even the error answer fails', async () => {
    await withCells(1);
    const r = await router();
    const known = await tokenFor(await userOnCell(r, 'cell-1'));
    expect((await fetch(`${r.url}/v1/ping`, { headers: authed(known) })).status).toBe(200);
    r.services.tokens.verify = () => Promise.reject(new Error('token check broke'));
    r.services.mapError = () => {
      throw new Error('error mapping broke too');
    };
    const fresh = await tokenFor(await userOnCell(r, 'cell-1'));
    await expect(fetch(`${r.url}/v1/ping`, { headers: authed(fresh) })).rejects.toThrow();
    expect((await fetch(`${r.url}/v1/ping`, { headers: authed(known) })).status).toBe(200);
  });

  it('answers a refused token in the one error format with the request id', async () => {
    await withCells(1);
    const r = await router();
    const res = await rawGet(r.url, '/v1/echo', { 'x-request-id': 'client-request-0002' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.headers['x-request-id']).toBe('client-request-0002');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({
      error: {
        code: 'unauthorized',
        message: 'Missing bearer token',
        requestId: 'client-request-0002',
      },
    });
  });
});

describe('cell failure isolation', () => {
  it('answers 503 cell_unavailable for a dead cell, never reroutes, and others keep working', async () => {
    const [dead] = await withCells(3);
    if (!dead) throw new Error('no cell');
    const r = await router();
    const victim = await tokenFor(await userOnCell(r, 'cell-1'));
    const others = [
      await tokenFor(await userOnCell(r, 'cell-2')),
      await tokenFor(await userOnCell(r, 'cell-3')),
    ];
    await dead.stop();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${r.url}/v1/ping`, { headers: authed(victim) });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.headers.get('x-cell-id')).toBe('cell-1');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'cell_unavailable',
      );
      for (const token of others) {
        expect((await fetch(`${r.url}/v1/ping`, { headers: authed(token) })).status).toBe(200);
      }
    }
    expect(r.services.health.isUp('cell-1')).toBe(false);
    const victimSeen = cells
      .slice(1)
      .flatMap((c) => c.seen)
      .filter((s) => s.headers.authorization);
    expect(victimSeen).toEqual([]);
    const seenUsers = new Set(
      cells.slice(1).flatMap((c) => c.seen.map((s) => s.headers['x-cell-id'])),
    );
    expect([...seenUsers].sort()).toEqual(['cell-2', 'cell-3']);
  });

  it('marks a cell down after 2 failed readiness checks and up only after 2 good ones', async () => {
    const [cell] = await withCells(1);
    if (!cell) throw new Error('no cell');
    const r = await router({ HEALTH_CHECK_INTERVAL_MS: '3600000' });
    const health = r.services.health;
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    cell.ready = false;
    await health.checkAll();
    expect(health.isUp('cell-1')).toBe(true);
    await health.checkAll();
    expect(health.isUp('cell-1')).toBe(false);
    expect((await fetch(`${r.url}/v1/ping`, { headers: authed(token) })).status).toBe(503);

    cell.ready = true;
    await health.checkAll();
    expect(health.isUp('cell-1')).toBe(false);
    await health.checkAll();
    expect(health.isUp('cell-1')).toBe(true);
    expect((await fetch(`${r.url}/v1/ping`, { headers: authed(token) })).status).toBe(200);
  });

  it('marks a cell down from its answers when they report a dependency down (passive health), then back after the ejection', async () => {
    const [cell] = await withCells(1);
    if (!cell) throw new Error('no cell');
    const r = await router({ HEALTH_CHECK_INTERVAL_MS: '3600000', HEALTH_EJECT_MS: '300' });
    const health = r.services.health;
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    const ping = () => fetch(`${r.url}/v1/ping`, { headers: authed(token) });
    cell.dependencyDown = true;
    // The readiness checks have not noticed (none ran): the first answers come from the cell.
    for (let i = 0; i < 3; i++) {
      const res = await ping();
      expect(res.status).toBe(503);
      expect(res.headers.get('x-cell-id')).toBe('cell-1');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'service_unavailable',
      );
    }
    expect(health.isUp('cell-1')).toBe(false);
    const seen = cell.seen.length;
    const answered = await ping();
    expect(answered.status).toBe(503);
    expect(answered.headers.get('retry-after')).toBe('5');
    expect(((await answered.json()) as { error: { code: string } }).error.code).toBe(
      'cell_unavailable',
    );
    expect(cell.seen.length).toBe(seen); // the router answered itself

    cell.dependencyDown = false;
    // Good checks during the ejection do not bring it back yet...
    await health.checkAll();
    await health.checkAll();
    expect(health.isUp('cell-1')).toBe(false);
    // ...after it, two good checks do.
    await new Promise((resolve) => setTimeout(resolve, 350));
    await health.checkAll();
    await health.checkAll();
    expect(health.isUp('cell-1')).toBe(true);
    expect((await ping()).status).toBe(200);
  });

  it('starts counting again after any other answer', async () => {
    const [cell] = await withCells(1);
    if (!cell) throw new Error('no cell');
    const r = await router({ HEALTH_CHECK_INTERVAL_MS: '3600000' });
    const health = r.services.health;
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    const ping = () => fetch(`${r.url}/v1/ping`, { headers: authed(token) });
    for (let round = 0; round < 3; round++) {
      cell.dependencyDown = true;
      expect((await ping()).status).toBe(503);
      expect((await ping()).status).toBe(503);
      cell.dependencyDown = false;
      expect((await ping()).status).toBe(200);
    }
    expect(health.isUp('cell-1')).toBe(true);
  });

  it('recovers a killed cell by itself once it answers again', async () => {
    const [cell] = await withCells(1);
    if (!cell) throw new Error('no cell');
    const r = await router();
    const token = await tokenFor(await userOnCell(r, 'cell-1'));
    await cell.stop();
    await expect.poll(() => r.services.health.isUp('cell-1'), { timeout: 3_000 }).toBe(false);
    await cell.start();
    await expect.poll(() => r.services.health.isUp('cell-1'), { timeout: 3_000 }).toBe(true);
    expect((await fetch(`${r.url}/v1/ping`, { headers: authed(token) })).status).toBe(200);
  });
});

describe('control plane', () => {
  it('lists cells with state, health and user counts, and exposes metrics', async () => {
    await withCells(2);
    const r = await router();
    const sessions = [await signup(r.url), await signup(r.url), await signup(r.url)];
    const res = await fetch(`${r.url}/admin/v1/cells`, {
      headers: authed(TEST_SECRETS.ADMIN_TOKEN),
    });
    const body = (await res.json()) as {
      cells: { id: string; users: number; health: string; state: string }[];
    };
    expect(body.cells.map((c) => c.id)).toEqual(['cell-1', 'cell-2']);
    for (const cell of body.cells) {
      expect(cell.state).toBe('active');
      expect(cell.health).toBe('up');
      expect(cell.users).toBe(sessions.filter((s) => s.cellId === cell.id).length);
    }
    await fetch(`${r.url}/v1/ping`, { headers: authed(sessions[0]?.accessToken ?? '') });
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toMatch(/cell_up\{[^}]*cell="cell-1"[^}]*\} 1/);
    expect(metrics).toMatch(/router_proxy_requests_total\{[^}]*status="200"/);
    expect(metrics).toMatch(/router_placement_overrides\{[^}]*\} 0/);
  });

  it('upserts the registry file without overriding a state an operator set', async () => {
    const [cell] = await withCells(1);
    if (!cell) throw new Error('no cell');
    await db.sql`update cells set state = 'draining', url = 'http://127.0.0.1:1' where id = 'cell-1'`;
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/registry-`)}/cells.json`;
    writeFileSync(
      file,
      JSON.stringify({
        cells: [
          { id: 'cell-1', url: cell.url, weight: 2 },
          { id: 'cell-7', url: 'http://127.0.0.1:9/', weight: 1 },
        ],
      }),
    );
    const r = await router({ CELL_REGISTRY_FILE: file });
    const rows = await db.sql`select id, url, weight, state from cells order by id`;
    expect(rows).toEqual([
      { id: 'cell-1', url: cell.url, weight: 2, state: 'draining' },
      { id: 'cell-7', url: 'http://127.0.0.1:9', weight: 1, state: 'active' },
    ]);
    expect(r.services.directory.cells().length).toBe(2);
  });
});
