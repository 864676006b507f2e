import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedis, waitForPort } from '../../deploy/local/native-servers.ts';
import { newId } from '../../lib/ids.ts';
import { IDENTITY_HEADERS, signIdentity } from '../../lib/router-signature.ts';
import { createTestCell, type TestCell } from '../../test/harness/cell.ts';
import { jsonOf } from '../../test/harness/http.ts';

describe('cell API', () => {
  let cell: TestCell;
  beforeAll(async () => {
    cell = await createTestCell({ cellId: 'cell-7' });
  });
  afterAll(() => cell.close());

  describe('health', () => {
    it('is ready when its Postgres and Redis answer', async () => {
      const res = await cell.app.request('/health/ready');
      expect(res.status).toBe(200);
      const body = await jsonOf(res);
      expect(body).toMatchObject({ status: 'ready', failing: [], cellId: 'cell-7' });
      expect(res.headers.get('x-cell-id')).toBe('cell-7');
    });
  });

  describe('identity', () => {
    it('returns the user and cell the router signed for', async () => {
      const userId = await cell.createUser('Zoë Ελένη');
      const res = await cell.app.request('/v1/me', { headers: cell.signedHeaders(userId) });
      expect(res.status).toBe(200);
      expect(await jsonOf(res)).toMatchObject({
        userId,
        cellId: 'cell-7',
        initialized: true,
        name: 'Zoë Ελένη',
      });
      expect(res.headers.get('x-request-id')).toBeTruthy();
    });

    it('rejects an unsigned request with 401 in the one error format', async () => {
      const res = await cell.app.request('/v1/me', {
        headers: { [IDENTITY_HEADERS.userId]: newId() },
      });
      expect(res.status).toBe(401);
      const body = await jsonOf(res);
      expect(body.error).toMatchObject({ code: 'unauthorized' });
      expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
    });

    it('rejects a signature made with another secret', async () => {
      const userId = newId();
      const requestId = newId();
      const res = await cell.app.request('/v1/me', {
        headers: {
          [IDENTITY_HEADERS.userId]: userId,
          [IDENTITY_HEADERS.cellId]: 'cell-7',
          [IDENTITY_HEADERS.requestId]: requestId,
          [IDENTITY_HEADERS.signature]: signIdentity('x'.repeat(40), {
            userId,
            cellId: 'cell-7',
          }),
        },
      });
      expect(res.status).toBe(401);
    });

    it('rejects a signature replayed for another user', async () => {
      const headers = cell.signedHeaders(newId());
      const res = await cell.app.request('/v1/me', {
        headers: { ...headers, [IDENTITY_HEADERS.userId]: newId() },
      });
      expect(res.status).toBe(401);
    });

    it('rejects a stale signature', async () => {
      const userId = newId();
      const requestId = newId();
      const res = await cell.app.request('/v1/me', {
        headers: {
          [IDENTITY_HEADERS.userId]: userId,
          [IDENTITY_HEADERS.cellId]: 'cell-7',
          [IDENTITY_HEADERS.requestId]: requestId,
          [IDENTITY_HEADERS.signature]: signIdentity(
            'test-router-secret-0123456789abcdef-0123',
            { userId, cellId: 'cell-7' },
            Date.now() - 120_000,
          ),
        },
      });
      expect(res.status).toBe(401);
      expect((await jsonOf(res)).error.message).toMatch(/stale/);
    });
  });

  describe('user initialisation', () => {
    it('initialises a user once and is idempotent on retry', async () => {
      const userId = newId();
      const init = () =>
        cell.app.request(`/internal/v1/users/${userId}`, {
          method: 'PUT',
          headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
          body: JSON.stringify({ email: 'ana@example.com', name: 'Ana' }),
        });
      expect((await init()).status).toBe(201);
      expect((await init()).status).toBe(200);
      const events = await cell.db.sql`select type from events where user_id = ${userId}`;
      expect(events.map((e) => e.type)).toEqual(['user.initialized']);
    });

    it('answers 400 with JSON pointers for a bad body, never 500', async () => {
      const userId = newId();
      const res = await cell.app.request(`/internal/v1/users/${userId}`, {
        method: 'PUT',
        headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
        body: JSON.stringify({ email: 'not-an-email' }),
      });
      expect(res.status).toBe(400);
      const body = await jsonOf(res);
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details.problems.map((p: { pointer: string }) => p.pointer).sort()).toEqual(
        ['/email', '/name'],
      );
    });
  });

  it('answers 404 in the one error format for an unknown route', async () => {
    const res = await cell.app.request('/nope');
    expect(res.status).toBe(404);
    expect((await jsonOf(res)).error.code).toBe('not_found');
  });
});

describe('cell API with its Postgres down', () => {
  it('answers /health/ready with 503 naming postgres', async () => {
    const cell = await createTestCell({ databaseUrl: 'postgres://postgres@127.0.0.1:9/none' });
    try {
      const res = await cell.app.request('/health/ready');
      expect(res.status).toBe(503);
      const body = await jsonOf(res);
      expect(body.failing).toEqual(['postgres']);
      expect(body.checks.redis.ok).toBe(true);
    } finally {
      await cell.close();
    }
  });
});

describe('cell API whose Redis dies', () => {
  it('answers /health/ready at once with 503 naming redis, from the connection state', async () => {
    // A Redis of its own, killed under the connected cell: the client is then
    // reconnecting, and a PING would wait for that attempt.
    const dir = await mkdtemp(path.join(tmpdir(), 'cell-redis-'));
    const port = await freePort();
    const pid = startRedis({ dir, port, logFile: path.join(dir, 'redis.log'), appendOnly: false });
    await waitForPort(port);
    const cell = await createTestCell({ redisUrl: `redis://127.0.0.1:${port}` });
    try {
      expect((await cell.app.request('/health/ready')).status).toBe(200);
      process.kill(pid, 'SIGKILL');
      // Until the client has seen its connection close (on a loaded machine the killed
      // process may take a while to go, and a client still 'ready' is pinged: that is the
      // path before the loss is known, bounded by the readiness timeout).
      for (const until = Date.now() + 10_000; cell.services.redis.status === 'ready'; ) {
        if (Date.now() > until) throw new Error('the Redis client never saw its server die');
        await sleep(20);
      }
      for (let i = 0; i < 5; i++) {
        const res = await cell.app.request('/health/ready');
        expect(res.status).toBe(503);
        const body = await jsonOf(res);
        expect(body.failing).toEqual(['redis']);
        expect(body.checks.postgres.ok).toBe(true);
        // Said from the connection's state, not after a PING waits out a reconnect
        // attempt: the router's check gives up after 800 ms, and a timeout is
        // forgiven while the cell's other answers are good.
        expect(body.checks.redis.error).toMatch(/^connection lost/);
        await sleep(150);
      }
    } finally {
      await cell.close();
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('cell API deadlines', () => {
  it('gives the account export its own deadline, not the interactive one', async () => {
    // An interactive deadline nothing can meet: the export, a bulk download, still answers.
    const cell = await createTestCell({ requestTimeoutMs: 1 });
    try {
      const userId = await cell.createUser('Export Deadline');
      const res = await cell.app.request('/v1/export', { headers: cell.signedHeaders(userId) });
      expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
    } finally {
      await cell.close();
    }
  });
});
