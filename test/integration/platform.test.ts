/**
 * The local platform as an operator runs it: real processes per cell, started
 * by the orchestrator behind `make dev-cells`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../harness/api-client.ts';
import { jsonOf } from '../harness/http.ts';
import { type Platform, startPlatform } from '../harness/platform.ts';

async function ready(platform: Platform, k: number) {
  const res = await fetch(`${platform.cellUrl(k)}/health/ready`);
  return { status: res.status, body: await jsonOf(res) };
}

describe('local platform with three cells', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform({ cells: 3, env: { PASSWORD_SCRYPT_LOG_N: '12' } });
  }, 180_000);
  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('runs every cell with its own Postgres and Redis', async () => {
    const statuses = await platform.orchestrator.status();
    for (let k = 1; k <= 3; k++) {
      const parts = statuses.filter((s) => s.component.cell === k);
      expect(parts.map((p) => p.component.part).sort()).toEqual([
        'api',
        'postgres',
        'redis',
        'worker',
      ]);
      expect(parts.every((p) => p.running)).toBe(true);
      const { status, body } = await ready(platform, k);
      expect(status).toBe(200);
      expect(body.cellId).toBe(`cell-${k}`);
    }
    const postgresPorts = new Set(
      statuses.filter((s) => s.component.kind === 'postgres').map((s) => s.component.port),
    );
    expect(postgresPorts.size).toBe(4);
  });

  it('reports a killed cell Postgres as 503 naming postgres while the other cells stay ready', async () => {
    await platform.kill(2, 'postgres');
    const down = await ready(platform, 2);
    expect(down.status).toBe(503);
    expect(down.body.failing).toEqual(['postgres']);
    expect((await ready(platform, 1)).status).toBe(200);
    expect((await ready(platform, 3)).status).toBe(200);

    await platform.startCell(2);
    expect((await ready(platform, 2)).status).toBe(200);
  });

  it('routes each user to the same cell every time and spreads 300 users across all cells', async () => {
    const client = new ApiClient(platform.routerUrl, { connections: 16 });
    try {
      const perCell = new Map<string, number>();
      for (let i = 0; i < 300; i++) {
        const user = await client.signup('spread');
        for (let repeat = 0; repeat < 2; repeat++) {
          const me = await client.request('GET', '/v1/me', { token: user.accessToken });
          expect(me.status).toBe(200);
          expect(me.cellId).toBe(user.cellId);
          expect(me.body).toMatchObject({
            userId: user.id,
            cellId: user.cellId,
            initialized: true,
          });
        }
        perCell.set(user.cellId, (perCell.get(user.cellId) ?? 0) + 1);
      }
      expect([...perCell.keys()].sort()).toEqual(['cell-1', 'cell-2', 'cell-3']);
      // Each cell gets a fair share: 100 expected, far from any one cell taking all.
      for (const count of perCell.values()) expect(count).toBeGreaterThan(60);
    } finally {
      await client.close();
    }
  }, 180_000);

  it('is idempotent: starting again reports everything as already running', async () => {
    const outcomes: string[] = [];
    await platform.orchestrator.up(3, (_name, outcome) => outcomes.push(outcome));
    expect(outcomes.filter((o) => o === 'started')).toEqual([]);
  });
});
