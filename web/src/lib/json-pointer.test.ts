import { describe, expect, it } from 'vitest';
import { fieldLabel, valueAt } from './json-pointer.ts';

describe('valueAt', () => {
  const doc = { work: [{ startDate: '2013-12' }], 'a/b': { '~x': 1 } };

  it('reads the value an API problem points at', () => {
    expect(valueAt(doc, '/work/0/startDate')).toBe('2013-12');
    expect(valueAt(doc, '')).toBe(doc);
  });

  it('unescapes ~1 and ~0 as RFC 6901 says', () => {
    expect(valueAt(doc, '/a~1b/~0x')).toBe(1);
  });

  it('gives undefined for a missing field instead of throwing', () => {
    expect(valueAt(doc, '/work/3/startDate')).toBeUndefined();
    expect(valueAt(doc, '/work/0/startDate/deeper')).toBeUndefined();
  });
});

describe('fieldLabel', () => {
  it('names a pointer for people, counting entries from one', () => {
    expect(fieldLabel('/work/0/startDate')).toBe('Work › #1 › Start date');
    expect(fieldLabel('/basics/email')).toBe('Basics › Email');
    expect(fieldLabel('')).toBe('The whole document');
  });
});
