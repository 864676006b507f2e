import { describe, expect, it } from 'vitest';
import { isUuidV7 } from '../../lib/ids.ts';
import { newRequestId, resolveProxyRequestId } from './request-ids.ts';

describe('newRequestId', () => {
  it('mints distinct UUIDv7s across several refills of the random pool', () => {
    const ids = Array.from({ length: 2_000 }, () => newRequestId());
    expect(ids.every((id) => isUuidV7(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stamps the current time in the first 48 bits', () => {
    const before = Date.now();
    const stamped = Number.parseInt(newRequestId().replaceAll('-', '').slice(0, 12), 16);
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(Date.now());
  });
});

describe('newRequestId, bit by bit', () => {
  it('draws every variant digit and every random digit from the pool', () => {
    const ids = Array.from({ length: 4_000 }, () => newRequestId());
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
    for (const position of [15, 16, 17, 20, 21, 22, 24, 30, 35]) {
      expect(new Set(ids.map((id) => id[position])).size, `digit ${position}`).toBe(16);
    }
  });

  it('restamps the time when the millisecond changes', async () => {
    const stampOf = (id: string) => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    const first = stampOf(newRequestId());
    await new Promise((resolve) => setTimeout(resolve, 5));
    const before = Date.now();
    const later = stampOf(newRequestId());
    expect(later).toBeGreaterThanOrEqual(before);
    expect(later).toBeGreaterThan(first);
  });
});

describe('resolveProxyRequestId', () => {
  it('keeps a well-formed client id and replaces a missing or malformed one', () => {
    expect(resolveProxyRequestId('client-id-123')).toBe('client-id-123');
    expect(isUuidV7(resolveProxyRequestId(undefined))).toBe(true);
    expect(isUuidV7(resolveProxyRequestId('bad id with spaces'))).toBe(true);
  });
});
