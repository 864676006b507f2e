import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonResume } from '../../../lib/ai/contract.ts';
import { analyzeJob, tailorResumeWithRewrites } from '../../../lib/ai/embedded/index.ts';
import { entryFacts, profileItems } from '../../../lib/ai/profile-items.ts';
import { generateJob } from '../../../shared-services/ai-optimizer/test-support/job-corpus.ts';
import { ClaimChecker } from './claim-verifier.ts';
import { FABRICATION_KINDS, fabricate } from './test-support/fabrications.ts';
import {
  carryCitations,
  type ResumeDocument,
  verifyTailoredVariant,
  verifyVariant,
} from './verifier.ts';

const corpusDir = new URL('../../../test/fixtures/jsonresume-corpus/', import.meta.url);
/** The corpus profiles that verify against themselves (one holds objects the verifier refuses). */
const corpus = readdirSync(corpusDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(new URL(file, corpusDir), 'utf8')) as JsonResume)
  .filter((profile) => verifyVariant(profile as ResumeDocument, profile as ResumeDocument).ok);

const profile: JsonResume = {
  basics: {
    name: 'Ada Park',
    label: 'Senior Backend Engineer',
    summary: 'Backend engineer who helped scale payments systems at Acme Pay.',
  },
  work: [
    {
      name: 'Acme Pay',
      position: 'Senior Backend Engineer',
      location: 'Lisbon',
      startDate: '2019-03-01',
      highlights: [
        'Cut p99 latency of the ledger API by 40% by moving hot reads to Redis',
        'Helped migrate 12 services from VMs to Kubernetes',
        'Led a team of 4 engineers that rebuilt the payouts pipeline in Go',
        'Contributed to the on-call handbook used by 30 engineers',
      ],
    },
    {
      name: 'Globex',
      position: 'Software Engineer',
      startDate: '2015-06-01',
      endDate: '2019-02-01',
      highlights: ['Built the PostgreSQL reporting schema for 200 enterprise customers'],
    },
  ],
  skills: [{ name: 'Backend', keywords: ['Go', 'PostgreSQL', 'Redis', 'Kubernetes', 'Python'] }],
  education: [{ institution: 'Universidade do Porto', studyType: 'BSc', area: 'Computer Science' }],
};
const items = profileItems(profile);
const idOf = (pointer: string) => items.find((item) => item.pointer === pointer)?.id ?? '';
const checker = new ClaimChecker(profile);

function check(pointer: string, text: string, cites = [idOf(pointer)]) {
  const entry = pointer.startsWith('/basics')
    ? undefined
    : pointer.split('/').slice(0, 3).join('/');
  return checker.check({ text, cites, entry });
}

describe('claim checker: faithful rewrites', () => {
  it.each([
    [
      '/work/0/highlights/0',
      'Moved hot reads to Redis, cutting the ledger API’s p99 latency by 40 percent',
    ],
    ['/work/0/highlights/1', 'Helped move twelve services off VMs onto Kubernetes'],
    ['/work/0/highlights/2', 'Headed a four-engineer team that rebuilt the payouts pipeline in Go'],
    ['/work/0/highlights/3', 'Contributed to an on-call handbook that 30 engineers use'],
    [
      '/work/1/highlights/0',
      'Designed the Postgres reporting schema serving 200 enterprise customers at Globex',
    ],
  ])('accepts %s rephrased as "%s"', (pointer, text) => {
    expect(check(pointer, text)).toEqual([]);
  });

  it('lets a rewrite name a skill that the profile lists but the cited item does not', () => {
    expect(
      check(
        '/work/1/highlights/0',
        'Built the PostgreSQL reporting schema in Python for 200 enterprise customers',
      ),
    ).toEqual([]);
  });
});

describe('claim checker: what it rejects', () => {
  it.each([
    [
      'a changed number',
      '/work/0/highlights/0',
      'Cut p99 latency of the ledger API by 45% with Redis',
      'number',
      '45%',
    ],
    [
      'a new amount',
      '/work/0/highlights/0',
      'Cut p99 latency by 40%, saving $2M a year',
      'number',
      '$2M',
    ],
    [
      'a new month',
      '/work/0/highlights/1',
      'Helped migrate 12 services to Kubernetes in May 2018',
      'number',
      '2018',
    ],
    [
      'a skill the profile does not show',
      '/work/0/highlights/1',
      'Helped migrate 12 services to Kubernetes with Terraform',
      'skill',
      'Terraform',
    ],
    [
      'an inflated title',
      '/work/0/highlights/2',
      'As Principal Engineer, led a team of 4 engineers that rebuilt payouts in Go',
      'title',
      'principal',
    ],
    [
      'a new degree',
      '/work/1/highlights/0',
      'With an MSc, built the PostgreSQL reporting schema for 200 enterprise customers',
      'credential',
      'msc',
    ],
    [
      'an award',
      '/work/1/highlights/0',
      'Won an award for the PostgreSQL reporting schema for 200 enterprise customers',
      'award',
      'Won',
    ],
    [
      'a new employer',
      '/work/1/highlights/0',
      'Built the PostgreSQL reporting schema for 200 enterprise customers of Microsoft',
      'entity',
      'Microsoft',
    ],
    [
      'a new place',
      '/work/1/highlights/0',
      'Built the PostgreSQL reporting schema for 200 enterprise customers in Berlin',
      'entity',
      'Berlin',
    ],
    [
      'a new person',
      '/work/1/highlights/0',
      'Built the PostgreSQL reporting schema for 200 enterprise customers with Maria Lopez',
      'entity',
      'Maria',
    ],
  ])('rejects %s', (_name, pointer, text, rule, offending) => {
    const findings = check(pointer, text);
    expect(findings.map((f) => f.rule)).toContain(rule);
    expect(findings.flatMap((f) => f.offending)).toContain(offending);
  });

  it('rejects a text that cites nothing, an unknown item or another entry', () => {
    expect(check('/work/0/highlights/0', 'Cut latency by 40%', [])[0]?.rule).toBe('no_citation');
    expect(
      check('/work/0/highlights/0', 'Cut latency by 40%', ['work.0.highlights.0~00000000'])[0]
        ?.rule,
    ).toBe('unknown_citation');
    expect(
      check('/work/0/highlights/0', 'Cut latency by 40%', [idOf('/work/1/highlights/0')])[0]?.rule,
    ).toBe('foreign_citation');
  });

  it('lets the summary cite items of any entry', () => {
    const text = 'Senior Backend Engineer experienced in Go and PostgreSQL.';
    expect(check('/basics/summary', text, [idOf('/basics/label'), idOf('/skills/0')])).toEqual([]);
  });
});

describe('scope lexicon', () => {
  it.each([
    [
      '"contributed to" becomes "led"',
      '/work/0/highlights/3',
      'Led the on-call handbook used by 30 engineers',
    ],
    [
      '"helped" becomes "owned"',
      '/work/0/highlights/1',
      'Owned the migration of 12 services from VMs to Kubernetes',
    ],
    ['"helped" is dropped', '/work/0/highlights/1', 'Migrated 12 services from VMs to Kubernetes'],
    [
      'a hedge is kept but "led" added',
      '/work/0/highlights/1',
      'Helped lead the migration of 12 services to Kubernetes',
    ],
    [
      'a team size appears from a count of services',
      '/work/0/highlights/1',
      'Helped a team of 12 migrate services to Kubernetes',
    ],
    [
      'a team size grows',
      '/work/0/highlights/2',
      'Led a team of 6 engineers that rebuilt the payouts pipeline in Go',
    ],
    [
      '"sole" is added',
      '/work/1/highlights/0',
      'Was the sole builder of the PostgreSQL reporting schema for 200 enterprise customers',
    ],
  ])('rejects a rewrite where %s', (_name, pointer, text) => {
    expect(check(pointer, text).map((f) => f.rule)).toEqual(
      expect.arrayContaining([expect.stringMatching(/scope|team_size|number/)]),
    );
  });

  it.each([
    [
      '"led" becomes "owned"',
      '/work/0/highlights/2',
      'Owned the payouts pipeline rebuild in Go with a team of 4 engineers',
    ],
    [
      '"led" becomes "headed"',
      '/work/0/highlights/2',
      'Headed 4 engineers rebuilding the payouts pipeline in Go',
    ],
    [
      '"helped" becomes "assisted"',
      '/work/0/highlights/1',
      'Assisted in migrating 12 services from VMs to Kubernetes',
    ],
  ])('accepts a rewrite where %s', (_name, pointer, text) => {
    expect(check(pointer, text)).toEqual([]);
  });
});

describe('verifyTailoredVariant', () => {
  it('replaces a rejected rewrite by its source text and records rule and words', () => {
    const variant = structuredClone(profile);
    const work = variant.work?.[0];
    if (work?.highlights) work.highlights[1] = 'Led the migration of 12 services to Kubernetes';
    const result = verifyTailoredVariant(profile, variant, [
      { pointer: '/work/0/highlights/1', cites: [idOf('/work/0/highlights/1')] },
    ]);
    expect(result.ok).toBe(true);
    expect(result.rejections).toEqual([
      expect.objectContaining({
        pointer: '/work/0/highlights/1',
        rule: 'scope',
        offending: expect.arrayContaining(['led']),
        replacedBy: 'Helped migrate 12 services from VMs to Kubernetes',
      }),
    ]);
    expect((result.variant as JsonResume).work?.[0]?.highlights).toEqual(
      profile.work?.[0]?.highlights,
    );
  });

  it('keeps an accepted rewrite and still refuses a rewritten title or date', () => {
    const variant = structuredClone(profile);
    const work = variant.work?.[0];
    if (work?.highlights)
      work.highlights[0] = 'Moved hot reads to Redis, cutting ledger API p99 latency by 40%';
    const citations = [{ pointer: '/work/0/highlights/0', cites: [idOf('/work/0/highlights/0')] }];
    const accepted = verifyTailoredVariant(profile, variant, citations);
    expect(accepted.ok).toBe(true);
    expect(accepted.rewrites.map((r) => r.pointer)).toEqual(['/work/0/highlights/0']);
    if (work) work.position = 'Principal Backend Engineer';
    const refused = verifyTailoredVariant(profile, variant, citations);
    expect(refused.ok).toBe(false);
    expect(refused.violations.map((v) => v.pointer)).toEqual(['/work/0/position']);
  });

  it('carries the citations of verified rewrites to an edit, and none to text the user wrote', () => {
    const tailored = tailorResumeWithRewrites(
      profile,
      analyzeJob({ title: 'Backend Engineer', description: 'Go, PostgreSQL and Kubernetes' }),
      'keyword-first',
    );
    const accepted = verifyTailoredVariant(profile, tailored.variant, tailored.citations).rewrites;
    expect(accepted.length).toBeGreaterThan(0);
    const edited = structuredClone(tailored.variant);
    edited.work?.reverse();
    const kept = verifyTailoredVariant(profile, edited, carryCitations(accepted, edited));
    expect(kept.rejections).toEqual([]);
    expect(kept.rewrites).toHaveLength(accepted.length);
    if (edited.basics) edited.basics.summary = 'Award-winning engineer';
    const worded = verifyTailoredVariant(profile, edited, carryCitations(accepted, edited));
    expect(worded.rejections.map((r) => [r.pointer, r.rule])).toEqual([
      ['/basics/summary', 'no_citation'],
    ]);
  });

  it('accepts everything the embedded provider writes for the corpus and 4 jobs', () => {
    let rewrites = 0;
    for (const source of corpus) {
      for (const seed of [1, 2, 3, 4]) {
        const analysis = analyzeJob(generateJob(seed));
        for (const strategy of ['keyword-first', 'impact-first', 'concise'] as const) {
          const tailored = tailorResumeWithRewrites(source, analysis, strategy);
          const result = verifyTailoredVariant(source, tailored.variant, tailored.citations);
          expect(result.violations).toEqual([]);
          expect(result.rejections).toEqual([]);
          rewrites += result.rewrites.length;
        }
      }
    }
    expect(rewrites).toBeGreaterThan(50);
  });
});

const profileArb = fc.constantFrom(...corpus);

describe('properties', () => {
  it('accepts any selection and reordering of a profile, unchanged', () => {
    fc.assert(
      fc.property(profileArb, fc.integer(), (source, seed) => {
        const variant = structuredClone(source) as JsonResume;
        const rng = fc.sample(fc.boolean(), { numRuns: 200, seed });
        let i = 0;
        const keep = () => rng[i++ % rng.length] as boolean;
        const shuffle = <T>(list: T[]) =>
          list
            .map((item, index) => ({ item, key: (seed * 31 + index * 17) % 97 }))
            .sort((a, b) => a.key - b.key)
            .map(({ item }) => item)
            .filter(() => keep() || list.length === 1);
        if (variant.work) {
          variant.work = shuffle(variant.work).map((entry) =>
            entry.highlights ? { ...entry, highlights: shuffle(entry.highlights) } : entry,
          );
        }
        if (variant.projects) variant.projects = shuffle(variant.projects);
        if (variant.skills) variant.skills = shuffle(variant.skills);
        if (variant.basics && keep()) delete variant.basics.summary;
        const result = verifyTailoredVariant(source, variant, []);
        expect(result.violations).toEqual([]);
        expect(result.rejections).toEqual([]);
        expect(result.variant).toEqual(variant);
      }),
      { numRuns: 150 },
    );
  });

  const withHighlights = corpus.filter((p) =>
    profileItems(p).some((item) => item.kind === 'highlight'),
  );

  it.each(FABRICATION_KINDS)('rejects any cited rewrite with an injected %s', (kind) => {
    fc.assert(
      fc.property(fc.constantFrom(...withHighlights), fc.nat(), fc.nat(), (source, pick, seed) => {
        const highlights = profileItems(source).filter((item) => item.kind === 'highlight');
        const item = highlights[pick % highlights.length];
        if (!item) return;
        const [, section, index, , h] = item.pointer.split('/');
        const facts =
          ((source as Record<string, unknown>)[section as string] as Record<string, unknown>[])[
            Number(index)
          ] ?? {};
        const years = [facts.startDate, facts.endDate]
          .filter((d): d is string => typeof d === 'string')
          .map((d) => Number(d.slice(0, 4)));
        const fabrication = fabricate(kind, item.text, JSON.stringify(source), seed, {
          years,
          context: entryFacts(facts),
        });
        fc.pre(fabrication !== undefined);
        if (!fabrication) return;
        const variant = structuredClone(source) as Record<string, unknown>;
        (
          (variant[section as string] as Record<string, unknown>[])[Number(index)]
            ?.highlights as string[]
        )[Number(h)] = fabrication.text;
        const result = verifyTailoredVariant(source, variant, [
          { pointer: item.pointer, cites: [item.id] },
        ]);
        expect(result.rejections.map((r) => r.pointer)).toEqual([item.pointer]);
        expect(result.rejections[0]?.replacedBy).toBe(item.text);
        expect(JSON.stringify(result.variant)).not.toContain(fabrication.text);
      }),
      { numRuns: 60 },
    );
  });
});
