import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function start(entry: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, lines: result.stderr.trim().split('\n') };
}

describe('process start-up with bad configuration', () => {
  it('exits non-zero with one line naming a missing variable', () => {
    const { status, lines } = start('cell/api/server.ts', {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/cell',
      REDIS_URL: 'redis://127.0.0.1:9',
      ROUTER_SECRET: 'r'.repeat(32),
    });
    expect(status).not.toBe(0);
    expect(lines).toEqual(['invalid configuration: CELL_ID is required']);
  });

  it('exits non-zero with one line naming an invalid variable', () => {
    const { status, lines } = start('cell/workers/server.ts', {
      CELL_ID: 'cell-1',
      DATABASE_URL: 'mysql://nope',
      REDIS_URL: 'redis://127.0.0.1:9',
    });
    expect(status).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
  });
});
