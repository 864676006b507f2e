import { pino } from 'pino';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { HealthMonitor } from './health-monitor.ts';

/** A dispatcher whose next answers are scripted: a status, or an error code. */
function scripted(answers: (number | string)[]): Dispatcher {
  return {
    request: async () => {
      const next = answers.shift();
      if (typeof next === 'string') throw Object.assign(new Error(next), { code: next });
      return { statusCode: next ?? 200, body: { dump: async () => {} } };
    },
  } as unknown as Dispatcher;
}

function monitor(answers: (number | string)[], changes: [string, boolean][] = []) {
  const dispatcher = scripted(answers);
  const health = new HealthMonitor(() => dispatcher, pino({ level: 'silent' }), {
    onChange: (cell, up) => changes.push([cell, up]),
  });
  health.sync([{ id: 'cell-1', url: 'http://x', weight: 1, state: 'active' }]);
  return health;
}

describe('HealthMonitor', () => {
  it('goes down after two failed checks, not one', async () => {
    const health = monitor([503, 503]);
    await health.check('cell-1');
    expect(health.isUp('cell-1')).toBe(true);
    await health.check('cell-1');
    expect(health.isUp('cell-1')).toBe(false);
  });

  it('goes down at once when the connection is refused', async () => {
    const health = monitor(['ECONNREFUSED']);
    await health.check('cell-1');
    expect(health.isUp('cell-1')).toBe(false);
  });

  it('needs two good checks in a row to come back', async () => {
    const changes: [string, boolean][] = [];
    const health = monitor(['ECONNREFUSED', 200, 503, 200, 200], changes);
    for (let i = 0; i < 4; i++) await health.check('cell-1');
    expect(health.isUp('cell-1')).toBe(false);
    await health.check('cell-1');
    expect(health.isUp('cell-1')).toBe(true);
    expect(changes).toEqual([
      ['cell-1', true],
      ['cell-1', false],
      ['cell-1', true],
    ]);
  });

  it('does not count a timed-out check while the cell keeps answering requests', async () => {
    const health = monitor([
      'UND_ERR_HEADERS_TIMEOUT',
      'UND_ERR_HEADERS_TIMEOUT',
      'UND_ERR_HEADERS_TIMEOUT',
    ]);
    for (let i = 0; i < 3; i++) {
      health.reportAnswer('cell-1', false); // the proxy just relayed a good answer
      await health.check('cell-1');
    }
    expect(health.isUp('cell-1')).toBe(true);
    expect(health.health('cell-1')?.lastError).toContain('not counted');
  });

  it('counts timed-out checks when the cell answers nothing else, and error answers always', async () => {
    const silent = monitor(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);
    await silent.check('cell-1');
    await silent.check('cell-1');
    expect(silent.isUp('cell-1')).toBe(false);

    const failing = monitor([503, 503]);
    failing.reportAnswer('cell-1', false);
    await failing.check('cell-1');
    await failing.check('cell-1');
    expect(failing.isUp('cell-1')).toBe(false);
  });

  it('does not count dependency-down answers as good ones', async () => {
    const health = monitor(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);
    health.reportAnswer('cell-1', true);
    await health.check('cell-1');
    await health.check('cell-1');
    expect(health.isUp('cell-1')).toBe(false);
  });

  it('treats an unknown cell as down', () => {
    expect(monitor([]).isUp('cell-9')).toBe(false);
  });
});
