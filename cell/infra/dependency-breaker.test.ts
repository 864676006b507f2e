import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.ts';
import { DependencyBreaker } from './dependency-breaker.ts';

const logger = createLogger({ service: 'breaker-test', level: 'silent' });
const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  return condition();
};

describe('DependencyBreaker', () => {
  it('stays closed when the probe answers: an error that only looked like a dead store', async () => {
    let probes = 0;
    const breaker = new DependencyBreaker({ logger, probe: async () => void probes++ });
    breaker.trip(new Error('connect ECONNREFUSED'));
    expect(await until(() => probes === 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(breaker.open).toBe(false);
    breaker.close();
  });

  it('opens when the probe fails too, and closes after the first probe that answers', async () => {
    let storeUp = false;
    const changes: boolean[] = [];
    const breaker = new DependencyBreaker({
      logger,
      probeEveryMs: 10,
      probe: async () => {
        if (!storeUp) throw new Error('ECONNREFUSED');
      },
      onChange: (open) => changes.push(open),
    });
    breaker.trip(new Error('connect ECONNREFUSED'));
    breaker.trip(new Error('connect ECONNREFUSED')); // one check at a time
    expect(await until(() => breaker.open)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(breaker.open).toBe(true);
    storeUp = true;
    expect(await until(() => !breaker.open)).toBe(true);
    expect(changes).toEqual([true, false]);
    breaker.close();
  });

  it('treats a probe that hangs as a failure', async () => {
    const breaker = new DependencyBreaker({
      logger,
      probeTimeoutMs: 20,
      probe: () => new Promise(() => {}),
    });
    breaker.trip(new Error('Connection is closed.'));
    expect(await until(() => breaker.open)).toBe(true);
    breaker.close();
  });
});
