import { describe, expect, it } from 'vitest';
import { diffVariant } from './variant-diff.ts';

const master = {
  basics: { name: 'Ada', summary: 'Engineer.' },
  work: [
    { name: 'Acme', position: 'Engineer', startDate: '2020', highlights: ['A', 'B', 'C'] },
    { name: 'Initech', position: 'Intern', startDate: '2018', highlights: ['D'] },
    { name: 'Hooli', position: 'Lead', startDate: '2022', highlights: [] },
  ],
  skills: [{ name: 'Languages', keywords: ['TypeScript', 'Go', 'SQL'] }],
};

describe('diffVariant', () => {
  it('names the entries kept, left out and reordered, and each highlight kept, reworded or left out', () => {
    const variant = {
      basics: { name: 'Ada', summary: 'Engineer who ships TypeScript.' },
      work: [
        { name: 'Hooli', position: 'Lead', startDate: '2022', highlights: [] },
        {
          name: 'Acme',
          position: 'Engineer',
          startDate: '2020',
          highlights: ['C', 'A', 'A, faster'],
        },
      ],
      skills: [{ name: 'Languages', keywords: ['TypeScript', 'SQL'] }],
    };
    const diff = diffVariant(master, variant, [
      { pointer: '/basics/summary', cites: ['x', 'y'] },
      { pointer: '/work/1/highlights/2', cites: ['z'] },
    ]);
    expect(diff.summary).toEqual({
      from: 'Engineer.',
      to: 'Engineer who ships TypeScript.',
      cites: 2,
    });
    const work = diff.sections.find((s) => s.section === 'work');
    expect(work?.dropped).toEqual(['Intern at Initech']);
    expect(work?.reordered).toBe(true);
    expect(work?.total).toBe(3);
    const acme = work?.entries[1];
    expect(acme?.label).toBe('Engineer at Acme');
    expect(acme?.highlights).toEqual([
      { text: 'C', kind: 'kept', cites: 0 },
      { text: 'A', kind: 'kept', cites: 0 },
      { text: 'A, faster', kind: 'reworded', cites: 1 },
    ]);
    expect(acme?.droppedHighlights).toEqual(['B']);
    expect(acme?.reorderedHighlights).toBe(true);
    const skills = diff.sections.find((s) => s.section === 'skills');
    expect(skills?.entries[0]?.droppedHighlights).toEqual(['Go']);
    expect(skills?.reordered).toBe(false);
    expect(skills?.entries[0]?.reorderedHighlights).toBe(false);
  });

  it('finds nothing to report in a variant equal to the profile', () => {
    const diff = diffVariant(master, structuredClone(master));
    expect(diff.summary).toBeUndefined();
    for (const section of diff.sections) {
      expect(section.dropped).toEqual([]);
      expect(section.reordered).toBe(false);
      for (const entry of section.entries) {
        expect(entry.droppedHighlights).toEqual([]);
        expect(entry.highlights.every((h) => h.kind === 'kept')).toBe(true);
      }
    }
  });
});
