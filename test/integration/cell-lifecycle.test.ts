/**
 * Cell lifecycle on a real platform (issue 13): real cell processes with their
 * own Postgres and Redis, the real router, and the migrator as its own process
 * (router/migration/main.ts), started and killed like an operator's Job.
 *
 * Under a steady load from every user (reads for all, profile writes for half
 * of them) the platform grows from 3 to 4 cells, drains and removes a cell,
 * survives a kill -9 of the migrator in the copy, catch-up and flip phases,
 * and moves one user away and back. After each: every user's export equals
 * the one before (placement apart; a writer's profile history grows by exactly
 * its acknowledged writes), every ring-following user is on their ring owner,
 * users who did not move saw no error, moved users saw only
 * `503 user_migrating`, and only on writes.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { substitute } from '../../cell/domain/user-data/load.ts';
import { CELL_DATABASE, CONTROL_PLANE_DATABASE, postgresUrl } from '../../deploy/local/topology.ts';
import {
  type FakeJobBoards,
  jobBoardSettings,
  startFakeJobBoards,
} from '../fakes/job-boards/fake-job-boards.ts';
import { fakePosting } from '../fakes/job-boards/postings.ts';
import { ApiClient, type TestUser } from '../harness/api-client.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const resume = JSON.parse(
  readFileSync(path.join(repoRoot, 'test/fixtures/jsonresume/sample.resume.json'), 'utf8'),
) as Record<string, unknown>;

/**
 * Users and manual jobs per user: the size by default (300 users of 50 jobs, with
 * applications and their PDFs, events and job sources); `LIFECYCLE_USERS=24 LIFECYCLE_JOBS=2`
 * for a quick run while working on the migrator.
 */
const USERS = Number(process.env.LIFECYCLE_USERS ?? 300);
const JOBS = Number(process.env.LIFECYCLE_JOBS ?? 50);
/**
 * Each user's pause between rounds of the load: a steady total rate whatever the number of
 * users (24 users: 40 ms apart each), and lower for bigger profiles, whose every write rescores
 * all of the user's jobs (300 users of 50 jobs: 2.5 s apart, at most about 180 requests/s in
 * all). The full-size run then loads the cells without holding both cores saturated throughout.
 */
const LOAD_INTERVAL_MS = 40 * Math.max(1, USERS / 24) * Math.max(1, JOBS / 10);
/** Boards every user follows one of: shared within and across cells. */
const BOARDS = ['life-shared-0', 'life-shared-1'];
/** Timeouts triple for runs of more than 1,000 jobs in all (the full-size run takes about 6 minutes). */
const SCALE = USERS * JOBS > 1_000 ? 3 : 1;
const timeout = (ms: number) => Math.round(ms * SCALE);
/** Every third user has an application, submitted through the real workflow (PDF included). */
const applicants = new Map<string, string>();

interface Seen {
  method: string;
  status: number;
  code?: string;
}

let platform: Platform;
let boards: FakeJobBoards;
let client: ApiClient;
let controlPlane: postgres.Sql;
let users: (TestUser & { writer: boolean })[];
const acked = new Map<string, number>();

type Export = { tables: Record<string, unknown[]> };

/** Exports answered 503 and asked again, printed after each pass: a figure, not hidden. */
let exportRetries = 0;

/**
 * The user's export, the tests' fingerprint of their data. It is a verification read, not the
 * load under test: on a `503` with `Retry-After` (the full-size run's 300 whole-account exports,
 * 8 at a time on 2 shared cores, can overload a cell's Postgres until its breaker reports it
 * down) it is asked again, as a client would, up to 10 times.
 */
async function exportOf(user: TestUser): Promise<Export> {
  for (let attempt = 1; ; attempt++) {
    const res = await client.request('GET', '/v1/export', { token: user.accessToken });
    const retryAfter = Number(res.headers['retry-after']);
    if (res.status === 503 && attempt < 10 && retryAfter > 0) {
      exportRetries++;
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1_000));
      continue;
    }
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Export;
  }
}

type Row = Record<string, unknown>;

/**
 * The export without placement, as the user owns it. Shared board rows (a
 * board job, its postings, their bands) are the cell's: a target that already
 * follows the board keeps its own copy under its own ids, fetched on its own
 * schedule. So they are compared by what identifies them (fingerprint,
 * provider and external id, title, status), and their ids inside the user's
 * rows are replaced by those names. Writers' profile history (and the rescored
 * jobs) grow with their writes and are left out; everything else, timestamps
 * included, must be equal.
 */
function fingerprint(doc: Export, writer: boolean): Record<string, unknown[]> {
  const tables = doc.tables as Record<string, Row[]>;
  const names = new Map<string, string>();
  const sharedJobs = (tables.jobs ?? []).filter((job) => job.owner_user_id === null);
  for (const job of sharedJobs) names.set(String(job.id), `job:${job.fingerprint}`);
  const sharedPostings = (tables.postings ?? []).filter((p) => names.has(String(p.job_id)));
  for (const p of sharedPostings) names.set(String(p.id), `posting:${p.provider}:${p.external_id}`);
  const out: Record<string, unknown[]> = {};
  for (const [table, rows] of Object.entries(tables)) {
    if (table === 'posting_lsh_bands') continue; // derived from the shared postings
    const kept = rows
      .map((row) => {
        if (table === 'jobs' && row.owner_user_id === null) {
          return { fingerprint: row.fingerprint, title: row.title, status: row.status };
        }
        if (table === 'postings' && names.has(String(row.job_id))) {
          return { key: names.get(String(row.id)), title: row.title, status: row.status };
        }
        return substitute(row, names);
      })
      .map((row) => JSON.stringify(row))
      .sort();
    out[table] = kept;
  }
  if (writer) {
    delete out.profile_versions;
    delete out.events;
    delete out.user_jobs;
  }
  return out;
}

/** Every user's export, 8 at a time: 300 exports at once would overload the cells, not test them. */
async function fingerprints(): Promise<Map<string, Export>> {
  const all = new Map<string, Export>();
  let next = 0;
  const worker = async () => {
    for (let user = users[next++]; user; user = users[next++]) {
      all.set(user.id, await exportOf(user));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (exportRetries > 0) {
    process.stderr.write(`exports answered 503 and asked again so far: ${exportRetries}\n`);
  }
  // In the users' order, whatever order the exports finished in: callers compare whole maps.
  return new Map(users.map((user) => [user.id, all.get(user.id) as Export]));
}

async function placements(): Promise<Map<string, { cellId: string; reason: string }>> {
  const rows = await controlPlane<{ userId: string; cellId: string; reason: string }[]>`
    select user_id::text as "userId", cell_id as "cellId", reason from placements`;
  return new Map(rows.map((r) => [r.userId, r]));
}

function admin(method: string, route: string, body?: unknown) {
  return platform.admin(method, route, body);
}

function migrator(env: Record<string, string> = {}): ChildProcess {
  return platform.startMigrator(
    { LOG_LEVEL: 'warn', MIGRATION_PURGE_GRACE_MS: '500', ...env },
    'inherit',
  );
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function runMigrator(env: Record<string, string> = {}): Promise<void> {
  expect(await exited(migrator(env))).toBe(0);
}

/** Loads still running: a test that fails or times out must not leave its writes to the next. */
const runningLoads = new Set<{ stop(): Promise<unknown> }>();
afterEach(async () => {
  for (const load of runningLoads) await load.stop();
  runningLoads.clear();
});

/** Every user reads all the time; writers also write. Stops when told; returns what each saw. */
function startLoad(): { stop(): Promise<Map<string, Seen[]>> } {
  let running = true;
  const seen = new Map<string, Seen[]>(users.map((u) => [u.id, []]));
  const loops = users.map(async (user) => {
    while (running) {
      const read = await client.request('GET', '/v1/profile', { token: user.accessToken });
      seen.get(user.id)?.push({ method: 'GET', status: read.status, code: read.body?.error?.code });
      if (user.writer) {
        const write = await client.request('PUT', '/v1/profile', {
          token: user.accessToken,
          body: resume,
        });
        seen
          .get(user.id)
          ?.push({ method: 'PUT', status: write.status, code: write.body?.error?.code });
        if (write.status === 200) acked.set(user.id, (acked.get(user.id) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, LOAD_INTERVAL_MS));
    }
  });
  const load = {
    async stop() {
      running = false;
      await Promise.all(loops);
      runningLoads.delete(load);
      return seen;
    },
  };
  runningLoads.add(load);
  return load;
}

/** The checks every lifecycle step must pass. */
async function expectLossless(
  before: Map<string, Export>,
  placedBefore: Map<string, { cellId: string }>,
  seen: Map<string, Seen[]>,
  versionsBefore: Map<string, number>,
): Promise<Set<string>> {
  const placedAfter = await placements();
  const after = await fingerprints();
  const moved = new Set(
    users
      .filter((u) => placedAfter.get(u.id)?.cellId !== placedBefore.get(u.id)?.cellId)
      .map((u) => u.id),
  );
  for (const user of users) {
    const a = after.get(user.id) as Export;
    expect(fingerprint(a, user.writer), user.id).toEqual(
      fingerprint(before.get(user.id) as Export, user.writer),
    );
    if (user.writer) {
      expect(a.tables.profile_versions?.length, `${user.id} acknowledged writes`).toBe(
        (versionsBefore.get(user.id) ?? 0) + (acked.get(user.id) ?? 0),
      );
    }
    const answers = seen.get(user.id) ?? [];
    expect(answers.length).toBeGreaterThan(0);
    const bad = answers.filter((s) => s.status !== 200);
    if (!moved.has(user.id)) expect(bad, `unmoved ${user.id}`).toEqual([]);
    else {
      for (const s of bad)
        expect(s, `moved ${user.id}`).toMatchObject({
          method: 'PUT',
          status: 503,
          code: 'user_migrating',
        });
    }
    // Served by the cell the placement names.
    const me = await client.request('GET', '/v1/me', { token: user.accessToken });
    expect(me.cellId).toBe(placedAfter.get(user.id)?.cellId);
  }
  return moved;
}

async function snapshot() {
  const before = await fingerprints();
  const versions = new Map(
    users.map((u) => [u.id, before.get(u.id)?.tables.profile_versions?.length ?? 0]),
  );
  acked.clear();
  return { before, placed: await placements(), versions };
}

async function expectOnRingOwners(): Promise<void> {
  for (const user of users) {
    const where = await admin('GET', `/placements/${user.id}`);
    if (where.body.reason === 'ring')
      expect(where.body.cellId, user.id).toBe(where.body.ringCellId);
  }
}

async function usersOn(cellId: string): Promise<number> {
  const [row] = await controlPlane<{ n: number }[]>`
    select count(*)::int as n from placements where cell_id = ${cellId}`;
  return row?.n ?? 0;
}

async function currentOperation(): Promise<{ id: string; state: string } | null> {
  return (await admin('GET', '/operations/current')).body.operation as {
    id: string;
    state: string;
  } | null;
}

describe('cell lifecycle on a real platform', () => {
  beforeAll(async () => {
    boards = await startFakeJobBoards();
    BOARDS.forEach((board, b) => {
      boards.setBoard(
        'greenhouse',
        board,
        Array.from({ length: 3 }, (_, j) => fakePosting(b * 3 + j, 6_000_000)),
      );
    });
    platform = await startPlatform({
      cells: 3,
      env: {
        ...jobBoardSettings(boards),
        PASSWORD_SCRYPT_LOG_N: '12',
        // The full-size run lasts longer than the default 15-minute access token.
        ACCESS_TOKEN_TTL_SECONDS: '7200',
        MIGRATOR_ENABLED: 'false',
        RATE_LIMIT_PER_MINUTE: '100000',
      },
    });
    controlPlane = postgres(postgresUrl(platform.ports.controlPostgres, CONTROL_PLANE_DATABASE), {
      max: 2,
      onnotice: () => {},
    });
    client = new ApiClient(platform.routerUrl, { connections: 32 });
    users = [];
    for (let i = 0; i < USERS; i++) {
      const user = await client.signup(`life${i}`);
      expect(
        (await client.request('PUT', '/v1/profile', { token: user.accessToken, body: resume }))
          .status,
      ).toBe(200);
      const jobIds: string[] = [];
      for (let j = 0; j < JOBS; j++) {
        const job = await client.request('POST', '/v1/jobs', {
          token: user.accessToken,
          body: {
            title: j % 2 === 0 ? 'Backend Engineer' : 'Platform Engineer',
            company: `Acme ${j}`,
            description: '5+ years of TypeScript and PostgreSQL, on call',
          },
        });
        expect(job.status, JSON.stringify(job.body)).toBeLessThan(300);
        jobIds.push(job.body.id as string);
      }
      const follow = await client.request('POST', '/v1/job-sources', {
        token: user.accessToken,
        body: { provider: 'greenhouse', board: BOARDS[i % BOARDS.length] },
      });
      expect(follow.status, JSON.stringify(follow.body)).toBe(201);
      if (i % 3 === 0 && jobIds[0]) {
        const created = await client.request('POST', '/v1/applications', {
          token: user.accessToken,
          body: { jobId: jobIds[0], mode: 'auto', channel: 'manual' },
        });
        expect(created.status, JSON.stringify(created.body)).toBe(202);
        applicants.set(user.id, created.body.applicationId as string);
      }
      users.push({ ...user, writer: i % 2 === 0 });
    }
    // Every application reaches `submitted` through the real workflow (PDF service included).
    for (const user of users) {
      const id = applicants.get(user.id);
      if (!id) continue;
      let status: unknown;
      for (let waited = 0; waited < 60_000 && status !== 'submitted'; waited += 250) {
        status = (
          await client.request('GET', `/v1/applications/${id}`, { token: user.accessToken })
        ).body?.status;
        if (status !== 'submitted') await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(status, `application ${id}`).toBe('submitted');
    }
    // Every followed board has been fetched once (on a loaded machine the worker may lag)…
    for (const user of users) {
      for (let waited = 0; ; waited += 250) {
        const sources = await client.request('GET', '/v1/job-sources', {
          token: user.accessToken,
        });
        const items = (sources.body?.sources ?? []) as {
          lastFetch: { status: number | null; error: string | null } | null;
        }[];
        // Fetched without error (304: unchanged since a fetch that stored it); a board that timed
        // out on a loaded machine is fetched again on its schedule.
        const fetched = (status: number | null | undefined) => status === 200 || status === 304;
        if (items.length > 0 && items.every((source) => fetched(source.lastFetch?.status))) break;
        if (waited > 60_000) throw new Error(`${user.id}'s board was never fetched`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    // …then the background analysis and matching settle: exports must be stable (three polls
    // in a row alike) before we compare.
    let previous = '';
    for (let i = 0, alike = 0; i < 60 * SCALE && alike < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const next = JSON.stringify([...(await fingerprints())].map(([id, e]) => [id, e.tables]));
      alike = next === previous ? alike + 1 : 0;
      previous = next;
    }
  }, timeout(300_000));

  afterAll(async () => {
    await client?.close();
    await controlPlane?.end();
    await platform?.stop();
    await boards?.close();
  }, 60_000);

  it(
    'grows from 3 to 4 cells under load: only users whose ring owner changed move, losslessly',
    async () => {
      const snap = await snapshot();
      const load = startLoad();
      await new Promise((resolve) => setTimeout(resolve, 500));
      // `make dev-cells CELLS=4` on the running 3-cell platform: starts cell-4, registers it, rebalances.
      await platform.orchestrator.up(4, () => {});
      const running = (await admin('GET', '/operations/current')).body.operation as {
        id: string;
        kind: string;
        users: { total: number };
      };
      expect(running.kind).toBe('rebalance');
      const planned = { users: running.users.total };
      expect(planned.users).toBeGreaterThan(0);
      const again = await admin('POST', '/rebalance', {});
      expect(again.status).toBe(409);
      expect((again.body.error as { code: string }).code).toBe('migration_running');
      const started = performance.now();
      await runMigrator({ LOG_LEVEL: 'info' }); // one 'user moved' line per user, with step timings
      const seconds = (performance.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const seen = await load.stop();
      const done = (await admin('GET', `/operations/${running.id}`)).body.operation as {
        state: string;
        users: { moved: number };
        movedBytes: number;
        freezeMs: { p50: number; p99: number; max: number };
      };
      process.stderr.write(
        `rebalance 3 -> 4 cells under load: ${done.users.moved} users, ${(done.movedBytes / 1024).toFixed(0)} KiB ` +
          `in ${seconds.toFixed(1)} s including the migrator's start; freeze p50 ${done.freezeMs.p50.toFixed(0)} ms, ` +
          `p99 ${done.freezeMs.p99.toFixed(0)} ms, max ${done.freezeMs.max} ms\n`,
      );
      expect(done).toMatchObject({ state: 'completed', users: { moved: planned.users } });
      // The freeze window is a figure, not a pass/fail bar here: on 2 shared cores it moves with
      // the machine's load. `make bench-migration` measures it against the 1 s p99 target.
      expect(done.freezeMs.max).toBeGreaterThan(0);
      const moved = await expectLossless(snap.before, snap.placed, seen, snap.versions);
      expect(moved.size).toBe(planned.users);
      const placed = await placements();
      for (const id of moved) expect(placed.get(id)?.cellId).toBe('cell-4');
      await expectOnRingOwners();
    },
    timeout(300_000),
  );

  it('refuses to shrink to 3 cells while cell-4 holds users, naming the commands to run', async () => {
    await expect(platform.orchestrator.up(3, () => {})).rejects.toThrow(
      /cell-4 holds \d+ users.*make drain-cell CELL=4 && make remove-cell CELL=4/,
    );
    const removal = await admin('DELETE', '/cells/cell-4');
    expect(removal.status).toBe(409);
    expect((removal.body.error as { code: string }).code).toBe('cell_not_empty');
  });

  it(
    'drains cell 2 under load until it is drained and empty, then removes it',
    async () => {
      const snap = await snapshot();
      const load = startLoad();
      const drain = await admin('POST', '/cells/cell-2/drain');
      // The body says why when it is not an operation started (seen once in CI: a 200).
      expect(
        drain.status,
        JSON.stringify({
          drain: drain.body,
          onCell2: [...snap.placed.values()].filter((p) => p.cellId === 'cell-2').length,
        }),
      ).toBe(202);
      await runMigrator();
      const seen = await load.stop();
      const moved = await expectLossless(snap.before, snap.placed, seen, snap.versions);
      for (const id of moved) expect(snap.placed.get(id)?.cellId).toBe('cell-2');
      const { body } = await admin('GET', '/cells');
      expect(
        (body.cells as { id: string; state: string; users: number }[]).find(
          (c) => c.id === 'cell-2',
        ),
      ).toMatchObject({
        state: 'drained',
        users: 0,
      });
      await platform.orchestrator.removeCell(2, () => {});
      expect(
        ((await admin('GET', '/cells')).body.cells as { id: string }[]).map((c) => c.id),
      ).toEqual(['cell-1', 'cell-3', 'cell-4']);
      await expectOnRingOwners();
    },
    timeout(300_000),
  );

  it(
    'resumes a rebalance after kill -9 of the migrator in the copy, the catch-up and the commit phases',
    async () => {
      // Make work: drain cell-3, then take it back; the rebalance moves its users home.
      expect((await admin('POST', '/cells/cell-3/drain')).status).toBe(202);
      await runMigrator();
      expect((await admin('POST', '/cells/cell-3/activate')).status).toBe(200);
      const plan = await admin('POST', '/rebalance', { dryRun: true });
      const dryRun = plan.body.plan as {
        users: number;
        pairs: { to: string; users: number; bytes: number }[];
      };
      expect(dryRun.users).toBeGreaterThan(0);
      expect(dryRun.pairs.every((p) => p.to === 'cell-3' && p.bytes > p.users * 1_000)).toBe(true);
      const snap = await snapshot();
      const load = startLoad();
      expect((await admin('POST', '/rebalance', {})).status).toBe(202);
      // copied: after the copy; frozen: during the catch-up; committed: before the flip.
      for (const phase of ['copied', 'frozen', 'committed'] as const) {
        const child = migrator({ MIGRATION_STEP_DELAY_MS: '400', MIGRATOR_CONCURRENCY: '1' });
        await expect
          .poll(
            async () =>
              (await controlPlane`select 1 from migration_moves where phase = ${phase}`).length,
            { timeout: 30_000, interval: 20 },
          )
          .toBeGreaterThan(0);
        child.kill('SIGKILL');
        await exited(child);
        expect((await currentOperation())?.state, phase).toBe('running');
        // Killed mid-move: every user is still served, from one cell.
        for (const user of users) {
          const res = await client.request('GET', '/v1/profile', { token: user.accessToken });
          expect(res.status, `${phase} ${user.id}`).toBe(200);
        }
      }
      await runMigrator();
      expect(await currentOperation()).toBeNull();
      const seen = await load.stop();
      const moved = await expectLossless(snap.before, snap.placed, seen, snap.versions);
      const placed = await placements();
      for (const id of moved) expect(placed.get(id)?.cellId).toBe('cell-3');
      await expectOnRingOwners();
    },
    timeout(240_000),
  );

  it(
    'moves one user to a named cell, pinned, and back to the ring owner',
    async () => {
      const user = users[1] as TestUser;
      const home = (await placements()).get(user.id)?.cellId ?? '';
      const away = ['cell-1', 'cell-3', 'cell-4'].find((c) => c !== home) ?? '';
      const before = await exportOf(user);
      expect((await admin('POST', `/users/${user.email}/move`, { cellId: away })).status).toBe(202);
      await runMigrator();
      expect((await placements()).get(user.id)).toMatchObject({ cellId: away, reason: 'pinned' });
      expect((await client.request('GET', '/v1/me', { token: user.accessToken })).cellId).toBe(
        away,
      );
      expect((await admin('POST', `/users/${user.id}/move`, { cellId: away })).status).toBe(409);
      expect((await admin('POST', `/users/${user.id}/unpin`)).status).toBe(202);
      await runMigrator();
      expect((await placements()).get(user.id)).toMatchObject({ cellId: home, reason: 'ring' });
      expect(fingerprint(await exportOf(user), true)).toEqual(fingerprint(before, true));
    },
    timeout(120_000),
  );

  it(
    'keeps every user in one cell through kill -9 of the source cell API, the target cell Postgres and the router mid-drain; a re-run completes',
    async () => {
      const snap = await snapshot();
      expect((await admin('POST', '/cells/cell-4/drain')).status).toBe(202);
      const child = migrator({ MIGRATION_STEP_DELAY_MS: '300', MIGRATOR_CONCURRENCY: '1' });
      const inPhase = async (phase: string) => {
        let target = '';
        await expect
          .poll(
            async () => {
              const [row] = await controlPlane<{ target: string }[]>`
              select target_cell as target from migration_moves where phase = ${phase} limit 1`;
              target = row?.target ?? '';
              return target;
            },
            { timeout: 60_000, interval: 10 },
          )
          .not.toBe('');
        return Number(target.replace('cell-', ''));
      };
      // Each fault lands while a move is in the given phase, then is healed; the migrator runs on.
      await inPhase('copied');
      await platform.kill(4, 'api');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await platform.startCell(4);
      await platform.kill(await inPhase('frozen'), 'postgres');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      for (const k of [1, 3]) await platform.startCell(k);
      await inPhase('committed');
      await platform.killRouter();
      await exited(child);
      // Moves that ran out of attempts during a fault were rolled back to cell-4; draining again
      // (idempotent) moves them now.
      if ((await currentOperation()) !== null || (await usersOn('cell-4')) > 0) {
        const again = await admin('POST', '/cells/cell-4/drain');
        expect([202, 409], JSON.stringify(again.body)).toContain(again.status);
        await runMigrator();
      }
      expect(await currentOperation()).toBeNull();
      expect(await usersOn('cell-4')).toBe(0);
      // Never both, never neither: exactly one cell holds each user live, the one the placement names.
      const placed = await placements();
      const live = new Map<string, string[]>();
      for (const k of [1, 3, 4]) {
        const sql = postgres(postgresUrl(platform.ports.cellPostgres(k), CELL_DATABASE), {
          max: 1,
          onnotice: () => {},
        });
        try {
          const rows = await sql<{ id: string }[]>`
          select u.id::text as id from users u
          left join user_states s on s.user_id = u.id
          where coalesce(s.state, 'active') = 'active'`;
          for (const { id } of rows) live.set(id, [...(live.get(id) ?? []), `cell-${k}`]);
        } finally {
          await sql.end();
        }
      }
      for (const user of users) {
        expect(live.get(user.id), user.id).toEqual([placed.get(user.id)?.cellId]);
        const a = await exportOf(user);
        expect(fingerprint(a, user.writer), user.id).toEqual(
          fingerprint(snap.before.get(user.id) as Export, user.writer),
        );
        expect(a.tables.profile_versions?.length, user.id).toBe(snap.versions.get(user.id));
        // Submitted exactly once, through every move of this suite.
        const applicationId = applicants.get(user.id);
        if (applicationId) {
          const submissions = (a.tables.submissions ?? []) as Row[];
          expect(submissions, user.id).toEqual([
            expect.objectContaining({
              application_id: applicationId,
              state: 'submitted',
              attempts: 1,
            }),
          ]);
        }
      }
      await expectOnRingOwners();
    },
    timeout(240_000),
  );
});
