import { describe, expect, it } from 'vitest';
import {
  addEntry,
  type Draft,
  fromLines,
  linesAt,
  moveEntry,
  pointerOf,
  removeEntry,
  textAt,
  withValueAt,
} from './draft.ts';

const stored: Draft = {
  basics: { name: 'Ada', custom: { kept: true } },
  work: [{ name: 'Acme', highlights: ['Shipped it'], 'x-extra': 1 }, { name: 'Globex' }],
  meta: { theme: 'kept' },
};

describe('the editor draft', () => {
  it('changes one field and keeps every other, unknown fields included, without mutating', () => {
    const next = withValueAt(stored, pointerOf('work', 0, 'position'), 'Engineer');
    expect(next.work).toEqual([
      { name: 'Acme', highlights: ['Shipped it'], 'x-extra': 1, position: 'Engineer' },
      { name: 'Globex' },
    ]);
    expect(next.meta).toBe(stored.meta);
    expect(next.basics).toBe(stored.basics);
    expect((stored.work as Draft[])[0]).not.toHaveProperty('position');
  });

  it('removes a cleared field instead of storing an empty string', () => {
    const next = withValueAt(stored, pointerOf('basics', 'name'), '');
    expect(next.basics).toEqual({ custom: { kept: true } });
  });

  it('creates the objects on the way to a new field', () => {
    const next = withValueAt({}, pointerOf('basics', 'location', 'city'), 'Berlin');
    expect(next).toEqual({ basics: { location: { city: 'Berlin' } } });
    expect(textAt(next, '/basics/location/city')).toBe('Berlin');
    expect(textAt(next, '/basics/nothing')).toBe('');
  });

  it('escapes pointer segments as RFC 6901 says', () => {
    expect(pointerOf('a/b', '~c', 0)).toBe('/a~1b/~0c/0');
    expect(withValueAt({}, pointerOf('a/b'), 'x')).toEqual({ 'a/b': 'x' });
  });

  it('edits lists as one line each, dropping blank lines', () => {
    expect(linesAt(stored, '/work/0/highlights')).toBe('Shipped it');
    expect(linesAt({ work: [{ highlights: 'One string' }] }, '/work/0/highlights')).toBe(
      'One string',
    );
    expect(fromLines(' one \n\n two\n')).toEqual(['one', 'two']);
    const cleared = withValueAt(stored, '/work/0/highlights', fromLines('\n'));
    expect((cleared.work as Draft[])[0]).not.toHaveProperty('highlights');
  });

  it('adds, moves and removes entries; the last removal removes the section', () => {
    const added = addEntry(stored, 'projects');
    expect(added.projects).toEqual([{}]);
    const moved = moveEntry(stored, 'work', 0, 1);
    expect((moved.work as Draft[]).map((w) => w.name)).toEqual(['Globex', 'Acme']);
    expect(moveEntry(stored, 'work', 0, -1)).toBe(stored);
    const one = removeEntry(stored, 'work', 1);
    expect((one.work as Draft[]).map((w) => w.name)).toEqual(['Acme']);
    expect(removeEntry(one, 'work', 0)).not.toHaveProperty('work');
  });
});
