/**
 * Browser sessions through a real router: the refresh token in an HttpOnly,
 * SameSite=Strict cookie scoped to /v1/auth, the CSRF header that every use of
 * the cookie needs, and the JSON body that scripts keep using.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../lib/ids.ts';
import { createTestDatabase, type TestDatabase } from '../test/harness/databases.ts';
import { migrateControlPlane } from './control-plane/migrate.ts';
import { CSRF_HEADER } from './routes/session-cookie.ts';
import { FakeCell } from './testing/fake-cell.ts';
import { type RunningRouter, startRouter, TEST_SECRETS } from './testing/router-fixture.ts';

let db: TestDatabase;
let cell: FakeCell;
let router: RunningRouter;

beforeEach(async () => {
  db = await createTestDatabase(migrateControlPlane);
  cell = new FakeCell({ id: 'cell-1', secret: TEST_SECRETS.ROUTER_SECRET });
  await cell.start();
  await db.sql`insert into cells (id, url, weight) values (${cell.id}, ${cell.url}, 1)`;
  router = await startRouter(db.url);
});

afterEach(async () => {
  await router.close();
  await cell.stop();
  await db.drop();
});

const BROWSER = { [CSRF_HEADER]: '1' };

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${router.url}${path}`, {
    method: 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The `refresh_token` Set-Cookie line of a response, parsed. */
function refreshCookie(res: Response): { value: string; attributes: string[] } | undefined {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('refresh_token='));
  if (!line) return undefined;
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  return { value: decodeURIComponent(pair.slice('refresh_token='.length)), attributes };
}

function cookieHeader(value: string) {
  return { cookie: `refresh_token=${encodeURIComponent(value)}` };
}

async function signup(headers: Record<string, string> = {}) {
  const res = await post(
    '/v1/auth/signup',
    { email: `u-${newId()}@example.com`, password: 'correct horse', name: 'Ada' },
    headers,
  );
  expect(res.status).toBe(201);
  const cookie = refreshCookie(res);
  if (!cookie) throw new Error('no refresh cookie');
  return { res, cookie, body: (await res.json()) as Record<string, unknown> };
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as {
    error: { code: string; message: string; requestId: string };
  };
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  return body.error;
}

describe('happy: the refresh cookie', () => {
  it('is set by signup as HttpOnly, SameSite=Strict, scoped to /v1/auth, not Secure over plain HTTP', async () => {
    const { cookie, body } = await signup();
    expect(cookie.attributes).toEqual(
      expect.arrayContaining(['Path=/v1/auth', 'HttpOnly', 'SameSite=Strict']),
    );
    expect(cookie.attributes).not.toContain('Secure');
    expect(cookie.attributes.find((a) => a.startsWith('Max-Age='))).toBe('Max-Age=2592000');
    // A script (no CSRF header) still gets the token in the body, the same one.
    expect(body.refreshToken).toBe(cookie.value);
  });

  it('lives no longer than the 400 days browsers allow, even when refresh tokens live longer', async () => {
    const longLived = await startRouter(db.url, { REFRESH_TOKEN_TTL_SECONDS: '50000000' });
    try {
      const res = await fetch(`${longLived.url}/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `u-${newId()}@example.com`,
          password: 'correct horse',
          name: 'Ada',
        }),
      });
      expect(res.status).toBe(201);
      expect(refreshCookie(res)?.attributes).toContain('Max-Age=34560000');
    } finally {
      await longLived.close();
    }
  });

  it('is Secure when the request came over TLS through a terminating proxy', async () => {
    const { cookie } = await signup({ 'x-forwarded-proto': 'https' });
    expect(cookie.attributes).toContain('Secure');
  });

  it('keeps the refresh token out of the body for the web app (CSRF header sent)', async () => {
    const { cookie, body } = await signup(BROWSER);
    expect(body.refreshToken).toBeUndefined();
    expect(typeof body.accessToken).toBe('string');
    expect(cookie.value.length).toBeGreaterThan(20);
  });

  it('is set by login', async () => {
    const email = `u-${newId()}@example.com`;
    await post('/v1/auth/signup', { email, password: 'correct horse', name: 'Ada' });
    const res = await post('/v1/auth/login', { email, password: 'correct horse' }, BROWSER);
    expect(res.status).toBe(200);
    expect(refreshCookie(res)?.attributes).toContain('HttpOnly');
  });

  it('refreshes with the cookie and the CSRF header, rotating the cookie; the old one is spent', async () => {
    const { cookie } = await signup(BROWSER);
    const res = await post('/v1/auth/refresh', undefined, {
      ...BROWSER,
      ...cookieHeader(cookie.value),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken: string; refreshToken?: string };
    expect(body.accessToken).toBeTruthy();
    expect(body.refreshToken).toBeUndefined();
    const next = refreshCookie(res);
    expect(next?.value).toBeTruthy();
    expect(next?.value).not.toBe(cookie.value);

    // The access token works through the proxy.
    const echo = await fetch(`${router.url}/v1/echo`, {
      headers: { authorization: `Bearer ${body.accessToken}` },
    });
    expect(echo.status).toBe(200);

    const replay = await post('/v1/auth/refresh', undefined, {
      ...BROWSER,
      ...cookieHeader(cookie.value),
    });
    await expectError(replay, 401, 'unauthorized');
    // The spent cookie is cleared so the browser stops sending it.
    expect(refreshCookie(replay)?.attributes).toContain('Max-Age=0');
  });

  it('still refreshes from the JSON body without the header (scripts)', async () => {
    const { body } = await signup();
    const res = await post('/v1/auth/refresh', { refreshToken: body.refreshToken });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { refreshToken: string }).refreshToken).toBeTruthy();
  });

  it('logs out with the cookie: 204, the cookie cleared, the token revoked', async () => {
    const { cookie } = await signup(BROWSER);
    const res = await post('/v1/auth/logout', undefined, {
      ...BROWSER,
      ...cookieHeader(cookie.value),
    });
    expect(res.status).toBe(204);
    const cleared = refreshCookie(res);
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toEqual(expect.arrayContaining(['Max-Age=0', 'Path=/v1/auth']));
    const after = await post('/v1/auth/refresh', { refreshToken: cookie.value });
    await expectError(after, 401, 'unauthorized');
  });
});

describe('security: CSRF', () => {
  it('refuses a refresh that uses the cookie without the CSRF header: 403, token not spent', async () => {
    const { cookie } = await signup(BROWSER);
    const forged = await post('/v1/auth/refresh', undefined, cookieHeader(cookie.value));
    const error = await expectError(forged, 403, 'forbidden');
    expect(error.message).toContain(CSRF_HEADER);
    // Not spent: the real page can still refresh with it.
    const real = await post('/v1/auth/refresh', undefined, {
      ...BROWSER,
      ...cookieHeader(cookie.value),
    });
    expect(real.status).toBe(200);
  });

  it('refuses a logout that uses the cookie without the CSRF header, leaving the session alive', async () => {
    const { cookie } = await signup(BROWSER);
    await expectError(
      await post('/v1/auth/logout', undefined, cookieHeader(cookie.value)),
      403,
      'forbidden',
    );
    const real = await post('/v1/auth/refresh', undefined, {
      ...BROWSER,
      ...cookieHeader(cookie.value),
    });
    expect(real.status).toBe(200);
  });
});

describe('error: no token', () => {
  it('answers a refresh with neither body nor cookie 401 in the one error format', async () => {
    await expectError(await post('/v1/auth/refresh', undefined, BROWSER), 401, 'unauthorized');
  });

  it('answers a refresh body that is not JSON 415, and a bad one 400 with its pointer', async () => {
    const text = await fetch(`${router.url}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    await expectError(text, 415, 'unsupported_media_type');
    const bad = await post('/v1/auth/refresh', { refreshToken: '' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { details: { problems: { pointer: string }[] } } };
    expect(body.error.details.problems[0]?.pointer).toBe('/refreshToken');
  });
});
