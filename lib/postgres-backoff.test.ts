import { describe, expect, it } from 'vitest';
import { reconnectBackoff } from './postgres-backoff.ts';

describe('reconnectBackoff', () => {
  it('retries quickly at first and never waits more than half a second', () => {
    expect(reconnectBackoff(0)).toBeCloseTo(0.05);
    expect(reconnectBackoff(2)).toBeCloseTo(0.2);
    for (let retries = 0; retries < 100; retries++)
      expect(reconnectBackoff(retries)).toBeLessThanOrEqual(0.5);
  });
});
