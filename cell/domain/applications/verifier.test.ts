import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractNumbers, type ResumeDocument, verifyVariant } from './verifier.ts';

const sample = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/jsonresume/sample.resume.json', import.meta.url),
    'utf8',
  ),
) as ResumeDocument;

type Entry = Record<string, unknown>;
const clone = <T>(value: T): T => structuredClone(value);

describe('extractNumbers', () => {
  it('normalises numbers, percentages, amounts and multipliers', () => {
    expect(extractNumbers('Cut costs by 40 % and $1.2M, 3x faster, 2,000 users in 2016')).toEqual([
      '40%',
      '$1.2m',
      '3x',
      '2000',
      '2016',
    ]);
    expect(extractNumbers('grew 12 percent')).toEqual(['12%']);
    expect(extractNumbers('DB1101 and MP4 are identifiers, not quantities')).toEqual([]);
  });
});

describe('verifyVariant on the JSON Resume sample', () => {
  it('accepts the profile itself', () => {
    const result = verifyVariant(sample, sample);
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.claims.map((c) => c.kind)).toEqual(
      expect.arrayContaining(['employer', 'title', 'institution', 'degree', 'date', 'skill']),
    );
  });

  it('accepts selection, reordering, dropped fields, regrouped skills and less precise dates', () => {
    const variant = clone(sample) as Record<string, unknown>;
    const work = (variant.work as Entry[])[0] as Entry;
    work.highlights = [...(work.highlights as string[])].reverse().slice(0, 2);
    delete work.summary;
    work.startDate = '2013-12';
    work.endDate = '2014';
    variant.skills = [{ name: 'Compression', keywords: ['Javascript', 'GIF'] }];
    delete variant.volunteer;
    delete variant.references;
    const result = verifyVariant(sample, variant);
    expect(result.violations).toEqual([]);
  });

  it('ignores differences of case, whitespace and Unicode normalisation form', () => {
    const profile = clone(sample) as Record<string, unknown>;
    (profile.basics as Entry).name = 'Zoë Hendriks';
    const variant = clone(profile);
    (variant.basics as Entry).name = '  zoe\u0308   HENDRIKS ';
    ((variant.work as Entry[])[0] as Entry).name = 'PIED  piper';
    expect(verifyVariant(profile, variant).violations).toEqual([]);
  });

  it('refuses a trimmed or reworded highlight and names it', () => {
    const variant = clone(sample) as Record<string, unknown>;
    ((variant.work as Entry[])[0] as Entry).highlights = ['Successfully won Techcrunch'];
    const result = verifyVariant(sample, variant);
    expect(result.ok).toBe(false);
    expect(result.violations).toEqual([
      expect.objectContaining({
        pointer: '/work/0/highlights/0',
        kind: 'sentence',
        value: 'Successfully won Techcrunch',
      }),
    ]);
  });

  it('refuses a date taken from another entry', () => {
    const variant = clone(sample) as Record<string, unknown>;
    // 2011-06-01 is a real date of the profile, but of the education entry.
    ((variant.work as Entry[])[0] as Entry).startDate = '2011-06-01';
    const result = verifyVariant(sample, variant);
    expect(result.violations).toEqual([
      expect.objectContaining({ pointer: '/work/0/startDate', kind: 'date', value: '2011-06-01' }),
    ]);
  });

  it('refuses mixing the title of one role with the dates of another role at the same employer', () => {
    const profile = {
      work: [
        { name: 'Hooli', position: 'Engineer', startDate: '2010-01-01', endDate: '2012-01-01' },
        { name: 'Hooli', position: 'Manager', startDate: '2012-02-01', endDate: '2015-01-01' },
      ],
    };
    const honest = { work: [{ name: 'Hooli', position: 'Manager', startDate: '2012-02-01' }] };
    expect(verifyVariant(profile, honest).ok).toBe(true);
    const mixed = { work: [{ name: 'Hooli', position: 'Manager', startDate: '2010-01-01' }] };
    const result = verifyVariant(profile, mixed);
    expect(result.ok).toBe(false);
    // Either the title or the date is reported, depending on which role is taken as the source.
    expect(result.violations).toHaveLength(1);
    expect(['title', 'date']).toContain(result.violations[0]?.kind);
  });

  it('refuses an invented number in the summary, naming the number', () => {
    const variant = clone(sample) as Record<string, unknown>;
    (variant.basics as Entry).summary = 'Led 45 engineers to grow revenue by 300%.';
    const result = verifyVariant(sample, variant);
    expect(result.ok).toBe(false);
    expect(result.violations.filter((v) => v.kind === 'number').map((v) => v.value)).toEqual([
      '45',
      '300%',
    ]);
  });

  it('refuses an invented section entry and an invented field of a real entry', () => {
    const variant = clone(sample) as Record<string, unknown>;
    variant.certificates = [{ name: 'AWS Solutions Architect', date: '2020-01-01' }];
    ((variant.education as Entry[])[0] as Entry).score = '4.3';
    const result = verifyVariant(sample, variant);
    expect(result.violations.map((v) => [v.pointer, v.kind])).toEqual(
      expect.arrayContaining([
        ['/certificates/0/name', 'text'],
        ['/certificates/0/date', 'date'],
        ['/education/0/score', 'number'],
      ]),
    );
  });
});

// ---- property tests ---------------------------------------------------------------------

// Profile words use A–M, invented words N–Z: an injected fact can never collide with the profile.
const word = fc.stringMatching(/^[A-M][a-m]{2,7}$/);
const inventedWord = fc.stringMatching(/^[N-Z][n-z]{3,8}$/);
const date = fc
  .tuple(fc.integer({ min: 1990, max: 2024 }), fc.integer({ min: 1, max: 12 }))
  .map(([year, month]) => `${year}-${String(month).padStart(2, '0')}-01`);
const highlight = fc
  .tuple(
    fc.constantFrom('Cut latency by', 'Grew revenue by', 'Reduced cost by', 'Improved uptime by'),
    fc.integer({ min: 1, max: 60 }),
    word,
  )
  .map(([verb, n, what]) => `${verb} ${n}% for ${what}`);

const workEntry = fc.record({
  name: word,
  position: word,
  startDate: date,
  endDate: date,
  summary: word.map((w) => `Worked on ${w}`),
  highlights: fc.array(highlight, { minLength: 1, maxLength: 4 }),
});
const educationEntry = fc.record({
  institution: word,
  studyType: word,
  area: word,
  startDate: date,
  endDate: date,
});
const skillEntry = fc.record({ name: word, keywords: fc.uniqueArray(word, { maxLength: 4 }) });

const profileArb = fc
  .record({
    basics: fc.record({ name: word, label: word, email: fc.constant('me@example.com') }),
    work: fc.uniqueArray(workEntry, { minLength: 1, maxLength: 4, selector: (w) => w.name }),
    education: fc.uniqueArray(educationEntry, {
      minLength: 1,
      maxLength: 3,
      selector: (e) => e.institution,
    }),
    skills: fc.uniqueArray(skillEntry, { minLength: 1, maxLength: 4, selector: (s) => s.name }),
  })
  .map((profile) => profile as unknown as ResumeDocument);

type Gen = fc.GeneratorValue;

/** A variant that only selects, reorders and drops: what tailoring is allowed to do. */
function selectFrom(profile: ResumeDocument, g: Gen): Record<string, unknown> {
  const work = (profile.work as Entry[]).map((entry) => ({
    ...entry,
    highlights: g(fc.shuffledSubarray, entry.highlights as string[], { minLength: 1 }),
    ...(g(fc.boolean) ? {} : { summary: undefined }),
  }));
  const skills = (profile.skills as Entry[]).map((entry) => ({
    ...entry,
    keywords: g(fc.shuffledSubarray, entry.keywords as string[]),
  }));
  return JSON.parse(
    JSON.stringify({
      basics: profile.basics,
      work: g(fc.shuffledSubarray, work, { minLength: 1 }),
      education: g(fc.shuffledSubarray, profile.education as Entry[], { minLength: 1 }),
      skills: g(fc.shuffledSubarray, skills, { minLength: 1 }),
    }),
  ) as Record<string, unknown>;
}

function firstOf(variant: Record<string, unknown>, section: string): Entry {
  const entry = (variant[section] as Entry[])[0];
  if (!entry) throw new Error(`variant has no ${section}`);
  return entry;
}

describe('verifyVariant properties', () => {
  it('always accepts a variant built by selecting and reordering', () => {
    fc.assert(
      fc.property(profileArb, fc.gen(), (profile, g) => {
        const result = verifyVariant(profile, selectFrom(profile, g));
        expect(result.violations).toEqual([]);
        expect(result.ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  const injections: Record<
    string,
    (variant: Record<string, unknown>, profile: ResumeDocument, g: Gen) => [string, string]
  > = {
    'a new employer': (variant, _profile, g) => {
      const name = g(() => inventedWord);
      firstOf(variant, 'work').name = name;
      return ['employer', name];
    },
    'a new title': (variant, _profile, g) => {
      const title = g(() => inventedWord);
      firstOf(variant, 'work').position = title;
      return ['title', title];
    },
    'a changed date': (variant) => {
      const entry = firstOf(variant, 'work');
      const year = Number(String(entry.startDate).slice(0, 4));
      const changed = `${year === 2024 ? 1989 : year + 1}${String(entry.startDate).slice(4)}`;
      entry.startDate = changed;
      return ['date', changed];
    },
    'an inflated percentage': (variant, profile) => {
      const entry = firstOf(variant, 'work');
      const highlights = entry.highlights as string[];
      const original = highlights[0] ?? '';
      const known = new Set(extractNumbers(JSON.stringify(profile)));
      let n = Number(/(\d+)%/.exec(original)?.[1]) + 5;
      while (known.has(`${n}%`)) n += 1;
      highlights[0] = original.replace(/\d+%/, `${n}%`);
      return ['number', `${n}%`];
    },
    'a new skill': (variant, _profile, g) => {
      const skill = g(() => inventedWord);
      const entry = firstOf(variant, 'skills');
      entry.keywords = [...(entry.keywords as string[]), skill];
      return ['skill', skill];
    },
    'a new degree': (variant, _profile, g) => {
      const degree = g(() => inventedWord);
      firstOf(variant, 'education').studyType = degree;
      return ['degree', degree];
    },
    'a new institution': (variant, _profile, g) => {
      const institution = g(() => inventedWord);
      firstOf(variant, 'education').institution = institution;
      return ['institution', institution];
    },
  };

  for (const [name, inject] of Object.entries(injections)) {
    it(`always refuses a variant with ${name}, and the violation names it`, () => {
      fc.assert(
        fc.property(profileArb, fc.gen(), (profile, g) => {
          const variant = selectFrom(profile, g);
          const [kind, value] = inject(variant, profile, g);
          const result = verifyVariant(profile, variant);
          expect(result.ok).toBe(false);
          expect(result.violations).toEqual(
            expect.arrayContaining([expect.objectContaining({ kind, value })]),
          );
        }),
        { numRuns: 200 },
      );
    });
  }
});
