import { describe, expect, it } from 'vitest';
import { versionDiff } from './version-diff.ts';

describe('versionDiff', () => {
  it('compares a minified version with a pretty one by content, marking what changed', () => {
    const older = '{"basics":{"name":"Ada","label":"Engineer"}}';
    const newer = JSON.stringify({ basics: { name: 'Ada', label: 'Lead engineer' } }, null, 4);
    const diff = versionDiff(older, newer);
    expect(diff.filter((l) => l.kind === 'removed').map((l) => l.text)).toEqual([
      '    "label": "Engineer"',
    ]);
    expect(diff.filter((l) => l.kind === 'added').map((l) => l.text)).toEqual([
      '    "label": "Lead engineer"',
    ]);
  });

  it('folds long unchanged runs', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    const diff = versionDiff(JSON.stringify(many), JSON.stringify({ ...many, k29: 'x' }));
    expect(diff.some((l) => l.text.startsWith('⋯'))).toBe(true);
    expect(diff.length).toBeLessThan(15);
  });
});
