import { describe, expect, it } from 'vitest';
import type { Row } from './canonical.ts';
import type { CatalogColumn, CatalogTable } from './catalog.ts';
import { remapRow, substitute } from './load.ts';

const OLD = '11111111-1111-4111-8111-111111111111';
const NEW = '22222222-2222-4222-8222-222222222222';
const ids = new Map([[OLD, NEW]]);

function column(name: string, type: string): CatalogColumn {
  return { name, type, encoding: 'text' } as CatalogColumn;
}

const userJobs: CatalogTable = {
  name: 'user_jobs',
  columns: [
    column('id', 'uuid'),
    column('job_id', 'uuid'),
    column('notes', 'text'),
    column('analysis', 'jsonb'),
  ],
  primaryKey: ['id'],
  userColumns: [],
  uniqueKeys: [],
  parents: [],
  hasIdentity: false,
};

describe('substitute', () => {
  it('replaces every string equal to an id, at any depth, and copies only the path to it', () => {
    const untouched = { words: ['a', 'b'], count: 3 };
    const value = { list: [1, OLD, { deep: [OLD] }], untouched, text: `${OLD} in a sentence` };
    const result = substitute(value, ids);
    expect(result).toEqual({
      list: [1, NEW, { deep: [NEW] }],
      untouched: { words: ['a', 'b'], count: 3 },
      text: `${OLD} in a sentence`,
    });
    expect(result.untouched).toBe(untouched);
    expect(value.list[1]).toBe(OLD); // the input is not changed
  });

  it('returns a value holding no id as it is', () => {
    const value = { a: [{ b: 'not an id' }, 'x'.repeat(36)], n: null, t: true };
    expect(substitute(value, ids)).toBe(value);
    expect(substitute(value, new Map())).toBe(value);
  });

  it('keeps a `__proto__` key a property of its own', () => {
    const value = JSON.parse(`{"__proto__": "${OLD}", "other": 1}`) as Record<string, unknown>;
    const result = substitute(value, ids);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toBe(NEW);
    expect(JSON.stringify(result)).toBe(`{"__proto__":"${NEW}","other":1}`);
  });
});

describe('remapRow', () => {
  it('remaps uuid and json columns only, and returns a row without ids as it is', () => {
    const row: Row = { id: 'a', job_id: OLD, notes: OLD, analysis: { jobId: OLD, score: 0.5 } };
    expect(remapRow(userJobs, row, ids)).toEqual({
      id: 'a',
      job_id: NEW,
      notes: OLD,
      analysis: { jobId: NEW, score: 0.5 },
    });
    const other: Row = { id: 'b', job_id: NEW, notes: null, analysis: { score: 1 } };
    expect(remapRow(userJobs, other, ids)).toBe(other);
  });
});
