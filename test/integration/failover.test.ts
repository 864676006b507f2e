/**
 * Failover with real processes: a 3-cell platform under bounded load from
 * users of every cell. Each part of one cell (api, worker, postgres, redis) is
 * killed in turn with SIGKILL and restarted; only that cell's users may
 * notice, they get a fast 503, and they are served again within 5 s of the
 * restart. The router is restarted under load too. The same properties are
 * what loadtest/failover.ts checks with k6 for SREs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellPart } from '../../deploy/local/topology.ts';
import { ApiClient, type TestUser } from '../harness/api-client.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';

const FAULT_CELL = 'cell-2';
const USERS_PER_CELL = 3;

interface Sample {
  at: number;
  cellId: string;
  status: number;
  code?: string;
  latencyMs: number;
  transportError?: string;
}

/** Bounded closed-loop load: each user sends one request at a time, with a pause. */
function startLoad(client: ApiClient, users: TestUser[], path = '/v1/me') {
  const samples: Sample[] = [];
  let running = true;
  const loops = users.map(async (user) => {
    while (running) {
      const at = Date.now();
      try {
        const res = await client.request('GET', path, {
          token: user.accessToken,
          timeoutMs: 10_000,
        });
        samples.push({
          at,
          cellId: user.cellId,
          status: res.status,
          code: res.body?.error?.code,
          latencyMs: res.latencyMs,
        });
      } catch (error) {
        samples.push({
          at,
          cellId: user.cellId,
          status: 0,
          latencyMs: Date.now() - at,
          transportError: (error as NodeJS.ErrnoException).code ?? (error as Error).message,
        });
      }
      await sleep(25);
    }
  });
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Polls as one user of the cell until a request succeeds; returns when it did. */
async function firstSuccess(client: ApiClient, user: TestUser, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await client
      .request('GET', '/v1/me', { token: user.accessToken })
      .catch(() => undefined);
    if (res?.status === 200) return Date.now();
    await sleep(50);
  }
  throw new Error(`no success within ${timeoutMs} ms`);
}

describe('cell failure isolation with real processes', () => {
  let platform: Platform;
  let client: ApiClient;
  const users: TestUser[] = [];

  beforeAll(async () => {
    platform = await startPlatform({
      cells: 3,
      // The load below is far above one person's 120 requests a minute.
      env: { PASSWORD_SCRYPT_LOG_N: '12', RATE_LIMIT_PER_MINUTE: '1000000' },
    });
    client = new ApiClient(platform.routerUrl, { connections: 32 });
    const perCell = new Map<string, number>();
    for (
      let i = 0;
      i < 120 && [...perCell.values()].filter((n) => n >= USERS_PER_CELL).length < 3;
      i++
    ) {
      const user = await client.signup('failover');
      if ((perCell.get(user.cellId) ?? 0) >= USERS_PER_CELL) continue;
      perCell.set(user.cellId, (perCell.get(user.cellId) ?? 0) + 1);
      users.push(user);
    }
    expect([...perCell.keys()].sort()).toEqual(['cell-1', 'cell-2', 'cell-3']);
  }, 240_000);

  afterAll(async () => {
    await client?.close();
    await platform?.stop();
  }, 60_000);

  it.each<CellPart>(['api', 'worker', 'postgres', 'redis'])(
    'isolates a killed %s of one cell to that cell and recovers within 5 s of the restart',
    async (part) => {
      const load = startLoad(client, users);
      await sleep(1_500);
      const killedAt = Date.now();
      await platform.kill(2, part);
      await sleep(4_000);
      await platform.startCell(2);
      const restartedAt = Date.now();
      const faultUser = users.find((u) => u.cellId === FAULT_CELL) as TestUser;
      const recoveredAt = await firstSuccess(client, faultUser, 15_000);
      await sleep(500);
      await load.stop();

      const others = load.samples.filter((s) => s.cellId !== FAULT_CELL);
      const faulted = load.samples.filter(
        (s) => s.cellId === FAULT_CELL && s.at >= killedAt && s.at < restartedAt,
      );
      expect(others.length).toBeGreaterThan(50);
      // The other cells' users see no error at all.
      expect(others.filter((s) => s.status !== 200)).toEqual([]);

      if (part === 'worker') {
        // A dead worker delays background jobs; the API keeps serving its users.
        expect(faulted.filter((s) => s.status !== 200)).toEqual([]);
      } else {
        const failures = faulted.filter((s) => s.status !== 200);
        expect(failures.length).toBeGreaterThan(0);
        // Every failure is a clean 503 in the one error format: the router's
        // cell_unavailable, or the cell's own service_unavailable in the moment
        // before the router's health checks notice. Never a hang or a 500.
        const unclean = failures.filter(
          (f) =>
            f.status !== 503 || !['cell_unavailable', 'service_unavailable'].includes(f.code ?? ''),
        );
        expect(unclean).toEqual([]);
        const routerAnswers = failures.filter((f) => f.code === 'cell_unavailable');
        expect(routerAnswers.length).toBeGreaterThan(0);
        // Answered by the router itself, without waiting on the dead cell.
        const slowest = Math.max(...routerAnswers.map((f) => f.latencyMs));
        expect(slowest).toBeLessThan(1_000);
      }
      expect(recoveredAt - restartedAt).toBeLessThanOrEqual(5_000);
    },
    90_000,
  );

  it('restarts the router under load, failing only in-flight or refused requests, and cleanly', async () => {
    const load = startLoad(client, users);
    await sleep(1_000);
    const restartStartedAt = Date.now();
    await platform.restartRouter();
    const restartedAt = Date.now();
    await sleep(1_500);
    await load.stop();

    const before = load.samples.filter((s) => s.at < restartStartedAt);
    const during = load.samples.filter((s) => s.at >= restartStartedAt && s.at <= restartedAt);
    const after = load.samples.filter((s) => s.at > restartedAt + 500);
    expect(before.filter((s) => s.status !== 200)).toEqual([]);
    // While the router restarts a request either completes (drained in flight),
    // fails at the connection, which a client can retry, or gets a clean 503 in
    // the one error format; never a hang, a 500 or a half-written answer.
    const unclean = during.filter((sample) =>
      sample.status === 0
        ? !/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|other side closed/.test(
            sample.transportError ?? '',
          )
        : sample.status !== 200 && !(sample.status === 503 && sample.code),
    );
    expect(unclean).toEqual([]);
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter((s) => s.status !== 200)).toEqual([]);
  }, 90_000);
});
