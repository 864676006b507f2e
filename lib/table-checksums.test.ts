import { describe, expect, it } from 'vitest';
import { checksumDifferences, sameChecksums } from './table-checksums.ts';

const hash = (c: string) => c.repeat(64);

describe('table checksums', () => {
  it('compare equal when only empty tables differ, in any key order', () => {
    const a = { users: { count: 1, sha256: hash('a') }, jobs: { count: 0, sha256: hash('e') } };
    const b = { events: { count: 0, sha256: hash('e') }, users: { count: 1, sha256: hash('a') } };
    expect(sameChecksums(a, b)).toBe(true);
    expect(checksumDifferences(a, b)).toEqual([]);
  });

  it('name every table whose count or hash differs, or that one side lacks', () => {
    const a = {
      users: { count: 1, sha256: hash('a') },
      jobs: { count: 2, sha256: hash('b') },
      events: { count: 3, sha256: hash('c') },
    };
    const b = {
      users: { count: 1, sha256: hash('a') },
      jobs: { count: 2, sha256: hash('d') },
      notes: { count: 1, sha256: hash('f') },
    };
    expect(sameChecksums(a, b)).toBe(false);
    expect(checksumDifferences(a, b)).toEqual(['events', 'jobs', 'notes']);
    expect(sameChecksums(a, { ...a, users: { count: 2, sha256: hash('a') } })).toBe(false);
  });
});
