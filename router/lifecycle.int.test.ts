/**
 * The cell lifecycle through a real router: recorded placement, signup
 * fallback, the freeze and the flip on every replica, the admin API's bad
 * inputs, cellctl, and account deletion. Cells are FakeCells for the proxied
 * traffic and an in-memory store for the per-user data endpoints.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../lib/ids.ts';
import { createTestDatabase, type TestDatabase } from '../test/harness/databases.ts';
import { runCellctl } from './cli/cellctl.ts';
import { migrateControlPlane } from './control-plane/migrate.ts';
import { RendezvousRing } from './placement/ring.ts';
import { FakeCell } from './testing/fake-cell.ts';
import { InMemoryCells } from './testing/in-memory-cells.ts';
import { type RunningRouter, startRouter, TEST_SECRETS } from './testing/router-fixture.ts';

let db: TestDatabase;
let cells: FakeCell[];
let data: InMemoryCells;
let routers: RunningRouter[];

interface Session {
  user: { id: string; email: string };
  cellId: string;
  accessToken: string;
}

const admin = {
  authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}`,
  'content-type': 'application/json',
};
const env = () => ({ ROUTER_URL: routers[0]?.url ?? '', ADMIN_TOKEN: TEST_SECRETS.ADMIN_TOKEN });

async function withCells(count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    const cell = new FakeCell({ id: `cell-${i}`, secret: TEST_SECRETS.ROUTER_SECRET });
    await cell.start();
    cells.push(cell);
    data.addCell(cell.id);
    await db.sql`insert into cells (id, url, weight) values (${cell.id}, ${cell.url}, 1)`;
  }
}

async function router(extra: Record<string, string> = {}): Promise<RunningRouter> {
  const r = await startRouter(
    db.url,
    { MIGRATION_PURGE_GRACE_MS: '1', ...extra },
    { cellData: data },
  );
  routers.push(r);
  return r;
}

async function signup(base: string, email = `u-${newId()}@example.com`): Promise<Session> {
  const res = await fetch(`${base}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse', name: 'Ada' }),
  });
  expect(res.status).toBe(201);
  const session = (await res.json()) as Session;
  data.seed(session.cellId, session.user.id, { profile: [{ name: email }] });
  return session;
}

async function adminCall(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/admin/v1${path}`, {
    method,
    headers: admin,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}

async function waitIdle(r: RunningRouter): Promise<void> {
  await expect
    .poll(async () => (await r.services.lifecycle.current()) === null, {
      timeout: 15_000,
      interval: 50,
    })
    .toBe(true);
}

beforeEach(async () => {
  db = await createTestDatabase(migrateControlPlane);
  cells = [];
  routers = [];
  data = new InMemoryCells([]);
});

afterEach(async () => {
  for (const r of routers) await r.close();
  for (const cell of cells) await cell.stop();
  await db.drop();
});

describe('recorded placement', () => {
  it('records every signup, and adding a cell re-routes nobody until a migration flips them', async () => {
    await withCells(3);
    const r = await router();
    const sessions = await Promise.all(Array.from({ length: 24 }, () => signup(r.url)));
    // Until some user's ring owner is the cell added below (24 users miss it once in ~1,000 runs).
    const grown = new RendezvousRing(
      ['cell-1', 'cell-2', 'cell-3', 'cell-4'].map((id) => ({ id })),
    );
    while (!sessions.some((s) => grown.lookup(s.user.id) === 'cell-4')) {
      sessions.push(await signup(r.url));
    }
    const rows = await db.sql`select user_id::text as id, cell_id, reason from placements`;
    expect(rows.length).toBe(sessions.length);
    for (const s of sessions) {
      expect(rows.find((row) => row.id === s.user.id)).toMatchObject({
        cell_id: s.cellId,
        reason: 'ring',
      });
    }
    const extra = new FakeCell({ id: 'cell-4', secret: TEST_SECRETS.ROUTER_SECRET });
    await extra.start();
    cells.push(extra);
    data.addCell('cell-4');
    const added = await adminCall(r.url, 'POST', '/cells', {
      id: 'cell-4',
      url: extra.url,
      rebalance: false,
    });
    expect(added.status).toBe(201);
    for (const s of sessions) {
      const res = await fetch(`${r.url}/v1/echo`, {
        headers: { authorization: `Bearer ${s.accessToken}` },
      });
      expect(((await res.json()) as { cell: string }).cell).toBe(s.cellId);
    }
    // The rebalance moves exactly the users whose ring owner is now cell-4.
    const plan = await adminCall(r.url, 'POST', '/rebalance', { dryRun: true });
    const owners = sessions.filter((s) => r.services.directory.ringCell(s.user.id) === 'cell-4');
    expect(owners.length).toBeGreaterThan(0);
    expect((plan.body.plan as { users: number }).users).toBe(owners.length);
    const started = await adminCall(r.url, 'POST', '/rebalance', {});
    expect(started.status).toBe(owners.length ? 202 : 200);
    await waitIdle(r);
    for (const s of sessions) {
      const res = await fetch(`${r.url}/v1/echo`, {
        headers: { authorization: `Bearer ${s.accessToken}` },
      });
      expect(((await res.json()) as { cell: string }).cell).toBe(
        r.services.directory.ringCell(s.user.id),
      );
      expect(data.holders(s.user.id)).toEqual([r.services.directory.ringCell(s.user.id)]);
    }
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`router_migration_users_total\\{[^}]*outcome="moved"[^}]*\\} ${owners.length}`),
    );
  });

  it('signs a user up on the next healthy cell in their rendezvous order while the ring owner is down, recorded as fallback', async () => {
    await withCells(3);
    const r = await router();
    await cells[0]?.stop();
    await expect.poll(() => r.services.health.isUp('cell-1'), { timeout: 3_000 }).toBe(false);
    let fallbacks = 0;
    for (let i = 0; i < 12; i++) {
      const s = await signup(r.url);
      const order = r.services.directory.ringOrder(s.user.id).map((c) => c.id);
      expect(s.cellId).toBe(order.find((id) => id !== 'cell-1'));
      const [row] =
        await db.sql`select cell_id, reason from placements where user_id = ${s.user.id}`;
      expect(row).toMatchObject({
        cell_id: s.cellId,
        reason: order[0] === 'cell-1' ? 'fallback' : 'ring',
      });
      if (order[0] === 'cell-1') fallbacks++;
    }
    expect(fallbacks).toBeGreaterThan(0);
  });

  it('shows a freeze and a flip on another replica within 1 s; a frozen user’s writes get 503 user_migrating, reads pass', async () => {
    await withCells(2);
    const a = await router();
    const b = await router({ CONTROL_PLANE_POLL_MS: '600000' });
    const s = await signup(a.url);
    const other = s.cellId === 'cell-1' ? 'cell-2' : 'cell-1';
    const auth = { authorization: `Bearer ${s.accessToken}` };
    await db.sql`update placements set frozen = true where user_id = ${s.user.id}`;
    const frozenAt = Date.now();
    await expect
      .poll(
        async () => (await fetch(`${b.url}/v1/echo`, { method: 'POST', headers: auth })).status,
        {
          timeout: 1_000,
          interval: 10,
        },
      )
      .toBe(503);
    expect(Date.now() - frozenAt).toBeLessThan(1_000);
    const write = await fetch(`${b.url}/v1/echo`, { method: 'POST', headers: auth });
    expect(write.headers.get('retry-after')).toBe('1');
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe('user_migrating');
    expect((await fetch(`${b.url}/v1/echo`, { headers: auth })).status).toBe(200);

    await db.sql`update placements set cell_id = ${other}, frozen = false where user_id = ${s.user.id}`;
    const flippedAt = Date.now();
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${b.url}/v1/echo`, { headers: auth })).json()) as { cell: string })
            .cell,
        { timeout: 1_000, interval: 10 },
      )
      .toBe(other);
    expect(Date.now() - flippedAt).toBeLessThan(1_000);
    expect((await fetch(`${b.url}/v1/echo`, { method: 'POST', headers: auth })).status).toBe(200);
  });

  it('re-asks the new cell once when a replica that has not seen a flip yet reaches the old one', async () => {
    await withCells(2);
    const r = await router();
    const s = await signup(r.url);
    const other = s.cellId === 'cell-1' ? 'cell-2' : 'cell-1';
    const auth = { authorization: `Bearer ${s.accessToken}` };
    await db.sql`update placements set cell_id = ${other} where user_id = ${s.user.id}`;
    await expect.poll(() => r.services.directory.place(s.user.id)?.cell.id).toBe(other);
    // This replica's view is stale (the flip's notification is late); the old cell has a tombstone.
    r.services.directory.setPlacement({
      userId: s.user.id,
      cellId: s.cellId,
      reason: 'ring',
      frozen: true,
    });
    cells.find((c) => c.id === s.cellId)?.moved.set(s.user.id, other);
    const read = await fetch(`${r.url}/v1/echo`, { headers: auth });
    expect(read.status).toBe(200);
    expect(read.headers.get('x-cell-id')).toBe(other);
    expect(((await read.json()) as { cell: string }).cell).toBe(other);
  });

  it('backfills a placement for accounts created before recorded placement, from the ring that routed them', async () => {
    await withCells(3);
    const id = newId();
    await db.sql`insert into accounts (id, email, name, password_hash) values (${id}, ${`old-${id}@example.com`}, 'Old', 'x')`;
    await migrateControlPlane(db.url);
    const r = await router();
    const [row] = await db.sql`select cell_id, reason from placements where user_id = ${id}`;
    expect(row).toMatchObject({ cell_id: r.services.directory.ringCell(id), reason: 'ring' });
  });
});

describe('admin API bad input', () => {
  it('answers each bad request with a clear 4xx in the one error format', async () => {
    await withCells(2);
    const r = await router();
    const s = await signup(r.url);
    // Hold the first copy so that a rebalance stays running.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const cases: [string, string, string, unknown, number, string][] = [
      ['unknown cell (drain)', 'POST', '/cells/cell-9/drain', undefined, 404, 'not_found'],
      ['unknown cell (remove)', 'DELETE', '/cells/cell-9', undefined, 404, 'not_found'],
      [
        'unknown cell (move)',
        'POST',
        `/users/${s.user.id}/move`,
        { cellId: 'cell-9' },
        404,
        'not_found',
      ],
      [
        'move to the current cell',
        'POST',
        `/users/${s.user.id}/move`,
        { cellId: s.cellId },
        409,
        'already_on_cell',
      ],
      [
        'remove a cell with users',
        'DELETE',
        `/cells/${s.cellId}`,
        undefined,
        409,
        'cell_not_empty',
      ],
      [
        'cancel with nothing running',
        'POST',
        '/operations/cancel',
        undefined,
        409,
        'nothing_to_cancel',
      ],
      [
        'bad cell id',
        'POST',
        '/cells',
        { id: 'Cell 1', url: 'http://x' },
        400,
        'validation_failed',
      ],
      [
        'unknown user',
        'POST',
        `/users/nobody@example.com/move`,
        { cellId: 'cell-1' },
        404,
        'not_found',
      ],
    ];
    for (const [name, method, path, body, status, code] of cases) {
      const res = await adminCall(r.url, method, path, body);
      expect(res.status, name).toBe(status);
      const error = res.body.error as { code: string; message: string; requestId: string };
      expect(error.code, name).toBe(code);
      expect(error.message.length, name).toBeGreaterThan(10);
      expect(error.requestId, name).toMatch(/.+/);
    }
    const notEmpty = await adminCall(r.url, 'DELETE', `/cells/${s.cellId}`);
    expect((notEmpty.body.error as { details: { users: number } }).details.users).toBe(1);
    expect((notEmpty.body.error as { message: string }).message).toContain(
      `cellctl drain ${s.cellId}`,
    );

    data.before = async (call) => {
      if (call === 'load') await held;
    };
    const other = s.cellId === 'cell-1' ? 'cell-2' : 'cell-1';
    expect(
      (await adminCall(r.url, 'POST', `/users/${s.user.id}/move`, { cellId: other })).status,
    ).toBe(202);
    const twice = await adminCall(r.url, 'POST', '/rebalance', {});
    expect(twice.status).toBe(409);
    expect((twice.body.error as { code: string }).code).toBe('migration_running');
    // The same move again is not an error: it answers the running operation.
    expect(
      (await adminCall(r.url, 'POST', `/users/${s.user.id}/move`, { cellId: other })).status,
    ).toBe(202);
    release();
    await waitIdle(r);
    // Pinned elsewhere, while the ring still names the cell it signed up on.
    expect((await adminCall(r.url, 'GET', `/placements/${s.user.id}`)).body).toMatchObject({
      cellId: other,
      reason: 'pinned',
      ringCellId: s.cellId,
    });
  });
});

describe('cellctl', () => {
  it('drains, removes, moves, unpins and cancels with progress', async () => {
    await withCells(3);
    const r = await router();
    const sessions = await Promise.all(Array.from({ length: 9 }, () => signup(r.url)));
    // Until cell-2 holds someone, whom the refused remove and the drain below are about (9 users
    // miss it once in ~40 runs).
    while (!sessions.some((s) => s.cellId === 'cell-2')) sessions.push(await signup(r.url));
    const lines: string[] = [];
    const io = { progress: (line: string) => lines.push(line), pollMs: 20 };
    expect(await runCellctl(['status'], env())).toMatch(
      /cell-1\s+active\s+up[\s\S]*no migration running/,
    );
    await expect(runCellctl(['remove', 'cell-2'], env())).rejects.toThrow(
      /409 cell_not_empty.*cellctl drain cell-2/,
    );
    const drained = await runCellctl(['drain', 'cell-2'], env(), io);
    expect(drained).toMatch(/drain cell-2 .* completed/);
    expect(drained).toMatch(/cell-2 is now drained \(0 users\)/);
    expect(await runCellctl(['remove', 'cell-2'], env())).toBe('cell-2 removed from the registry');
    await expect(runCellctl(['drain', 'cell-2'], env())).rejects.toThrow(/404/);
    for (const s of sessions) expect(data.holders(s.user.id)).toHaveLength(1);

    const s = sessions[0] as Session;
    const home = r.services.directory.place(s.user.id)?.cell.id ?? '';
    const away = home === 'cell-1' ? 'cell-3' : 'cell-1';
    expect(await runCellctl(['move', s.user.email, away, 'heavy', 'tenant'], env(), io)).toContain(
      `now lives on ${away}`,
    );
    expect(await runCellctl(['where', s.user.id], env())).toContain(`lives on ${away}`);
    expect(await runCellctl(['pins'], env())).toMatch(
      new RegExp(`${s.user.id}\\s+${away}\\s+heavy tenant`),
    );
    await expect(runCellctl(['move', s.user.id, away], env())).rejects.toThrow(
      /409 already_on_cell/,
    );
    expect(await runCellctl(['unpin', s.user.id], env(), io)).toContain(
      `follows the ring again (${home})`,
    );
    expect(await runCellctl(['rebalance', '--dry-run'], env())).toContain('nothing to move');
    await expect(runCellctl(['cancel'], env())).rejects.toThrow(/409 nothing_to_cancel/);
    await expect(runCellctl(['bogus'], env())).rejects.toThrow(/usage/);
  });
});

describe('DELETE /v1/account', () => {
  it('needs the password, then deletes the cell data, the account, its tokens and its placement', async () => {
    await withCells(2);
    const r = await router();
    const s = await signup(r.url);
    const auth = { authorization: `Bearer ${s.accessToken}`, 'content-type': 'application/json' };
    const wrong = await fetch(`${r.url}/v1/account`, {
      method: 'DELETE',
      headers: auth,
      body: JSON.stringify({ password: 'not it' }),
    });
    expect(wrong.status).toBe(403);
    expect(data.user(s.cellId, s.user.id)).toBeDefined();
    const res = await fetch(`${r.url}/v1/account`, {
      method: 'DELETE',
      headers: auth,
      body: JSON.stringify({ password: 'correct horse' }),
    });
    expect(res.status).toBe(204);
    expect(data.user(s.cellId, s.user.id)).toBeUndefined();
    expect(data.calls.find((c) => c.call === 'deleteData')).toMatchObject({
      cellId: s.cellId,
      userId: s.user.id,
    });
    expect(await db.sql`select 1 from accounts where id = ${s.user.id}`).toHaveLength(0);
    expect(await db.sql`select 1 from refresh_tokens where account_id = ${s.user.id}`).toHaveLength(
      0,
    );
    expect(await db.sql`select 1 from placements where user_id = ${s.user.id}`).toHaveLength(0);
    expect(await db.sql`select type from account_events where user_id = ${s.user.id}`).toEqual([
      { type: 'account.deleted' },
    ]);
    const after = await fetch(`${r.url}/v1/echo`, { headers: auth });
    expect(after.status).toBe(401);
    const login = await fetch(`${r.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: s.user.email, password: 'correct horse' }),
    });
    expect(login.status).toBe(401);
  });
});
