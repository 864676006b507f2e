import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CoverLetter, JobInput, JsonResume } from '../../../lib/ai/contract.ts';
import { analyzeJob, writeCoverLetter } from '../../../lib/ai/embedded/index.ts';
import { jobItems } from '../../../lib/ai/job-items.ts';
import { entryFacts, profileItems } from '../../../lib/ai/profile-items.ts';
import { generateJob } from '../../../shared-services/ai-optimizer/test-support/job-corpus.ts';
import { ClaimChecker } from './claim-verifier.ts';
import {
  isUsableLetter,
  letterFrame,
  letterText,
  verifiedLetter,
  verifyCoverLetter,
} from './cover-letter.ts';
import { FABRICATION_KINDS, fabricate } from './test-support/fabrications.ts';
import { type ResumeDocument, verifyVariant } from './verifier.ts';

const corpusDir = new URL('../../../test/fixtures/jsonresume-corpus/', import.meta.url);
const corpus = readdirSync(corpusDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(new URL(file, corpusDir), 'utf8')) as JsonResume)
  .filter((profile) => verifyVariant(profile as ResumeDocument, profile as ResumeDocument).ok);

const profile: JsonResume = {
  basics: { name: 'Ada Park', label: 'Senior Backend Engineer' },
  work: [
    {
      name: 'Acme Pay',
      position: 'Senior Backend Engineer',
      startDate: '2019-03-01',
      highlights: [
        'Cut p99 latency of the ledger API by 40% by moving hot reads to Redis',
        'Helped migrate 12 services from VMs to Kubernetes',
      ],
    },
  ],
  skills: [{ name: 'Backend', keywords: ['Go', 'PostgreSQL', 'Redis', 'Kubernetes'] }],
};
const job: JobInput = {
  title: 'Platform Engineer',
  company: 'Initech',
  description:
    '<p>Initech builds billing software for 3,000 banks.</p><ul><li>You know Kubernetes and Go.</li><li>Experience with PostgreSQL is a plus.</li></ul>',
};
const analysis = analyzeJob(job);
const checker = new ClaimChecker(profile, job);
const items = profileItems(profile);
const posting = jobItems(job);
const idOf = (pointer: string) => items.find((i) => i.pointer === pointer)?.id ?? '';
const jobId = (kind: string, index = 0) => posting.filter((i) => i.kind === kind)[index]?.id ?? '';

describe('the embedded cover letter', () => {
  it('writes 3 paragraphs addressed to the role, every sentence cited and verified', () => {
    const letter = writeCoverLetter(profile, analysis, job);
    expect(letter.paragraphs).toHaveLength(3);
    const [role, fit, close] = letter.paragraphs;
    expect(role?.sentences[0]?.text).toBe(
      'I am applying for the Platform Engineer position at Initech.',
    );
    expect(role?.sentences[1]?.text).toMatch(/^The role asks for .*Kubernetes.*Go/);
    expect(fit?.sentences[0]?.text).toMatch(
      /^As a Senior Backend Engineer, I have worked with .*Kubernetes/,
    );
    expect(fit?.sentences.map((s) => s.text)).toContain(
      'In my role as Senior Backend Engineer at Acme Pay: Helped migrate 12 services from VMs to Kubernetes.',
    );
    expect(close?.sentences.at(-1)?.cites).toEqual([]);
    const result = verifyCoverLetter(checker, letter);
    expect(result.rejections).toEqual([]);
    expect(result.letter).toEqual(letter);
    expect(isUsableLetter(result)).toBe(true);
  });

  it('verifies for every corpus profile and 4 generated jobs, and is deterministic', () => {
    let sentences = 0;
    for (const source of corpus) {
      for (const seed of [1, 2, 3, 4]) {
        const posted = generateJob(seed);
        const analysed = analyzeJob(posted);
        const letter = writeCoverLetter(source, analysed, posted);
        expect(writeCoverLetter(source, analysed, posted)).toEqual(letter);
        const result = verifyCoverLetter(new ClaimChecker(source, posted), letter);
        expect(result.rejections).toEqual([]);
        sentences += letter.paragraphs.flatMap((p) => p.sentences).length;
      }
    }
    expect(sentences).toBeGreaterThan(corpus.length * 4 * 3);
  });

  it('keeps 3 paragraphs when the profile evidences none of the job keywords, with its own highlights verbatim', () => {
    const unrelated: JobInput = {
      title: 'Pastry Chef',
      company: 'Le Petit Four',
      description:
        'You bake croissants and laminate dough at dawn. Patisserie experience required.',
    };
    const letter = writeCoverLetter(profile, analyzeJob(unrelated), unrelated);
    expect(letter.paragraphs).toHaveLength(3);
    const fit = letter.paragraphs[1]?.sentences.map((s) => s.text) ?? [];
    expect(fit[0]).toMatch(/^In my role as Senior Backend Engineer at Acme Pay: /);
    const result = verifyCoverLetter(new ClaimChecker(profile, unrelated), letter);
    expect(result.rejections).toEqual([]);
    expect(isUsableLetter(result)).toBe(true);
  });

  it('frames the letter: addressed to the company, signed with the name', () => {
    const letter = writeCoverLetter(profile, analysis, job);
    const text = letterText(letter, letterFrame('Initech', 'Ada Park'));
    expect(text.startsWith('Dear Initech hiring team,\n\nI am applying')).toBe(true);
    expect(text.endsWith('Kind regards,\nAda Park')).toBe(true);
    expect(letterFrame(undefined, undefined).salutation).toBe('Dear hiring team,');
  });
});

describe('verifying letter sentences', () => {
  const rules = (text: string, cites: string[]) =>
    checker.checkLetterSentence(text, cites).map((f) => [f.rule, f.offending]);

  it('accepts a sentence about the company that restates the posting', () => {
    expect(rules('Initech builds billing software for 3,000 banks.', [jobId('sentence')])).toEqual(
      [],
    );
  });

  it('rejects a company sentence that goes beyond the cited posting items', () => {
    expect(rules('Initech builds billing software for 4,000 banks.', [jobId('sentence')])).toEqual([
      ['number', ['4,000']],
    ]);
    expect(rules('Initech builds billing software in Berlin.', [jobId('sentence')])).toEqual([
      ['entity', ['Berlin']],
    ]);
    // The profile's skills are no evidence of what the company uses.
    expect(rules('Initech runs on Redis.', [jobId('sentence')])).toEqual([['skill', ['Redis']]]);
  });

  it('refuses a candidate claim that cites only the posting', () => {
    expect(rules('I know Kubernetes and Go.', [jobId('sentence', 1)])).toEqual([
      ['job_claim', ['i']],
    ]);
    expect(rules('My 3,000 banks run on Go.', [jobId('sentence')])[0]?.[0]).toBe('job_claim');
    expect(
      rules('I am applying for the Platform Engineer position at Initech.', [
        jobId('title'),
        jobId('company'),
      ]),
    ).toEqual([]);
    expect(
      rules('I am applying for the Principal Engineer position at Initech.', [
        jobId('title'),
        jobId('company'),
      ])[0]?.[0],
    ).toBe('job_claim');
  });

  it('checks a candidate sentence against the profile items it cites, not the posting', () => {
    const highlight = idOf('/work/0/highlights/1');
    expect(rules('I helped migrate 12 services to Kubernetes.', [highlight])).toEqual([]);
    expect(rules('I led the migration of 12 services to Kubernetes.', [highlight])[0]?.[0]).toBe(
      'scope',
    );
    // Naming the company in a sentence about the candidate: not in the profile.
    expect(
      rules('I helped migrate 12 services to Kubernetes at Initech.', [
        highlight,
        jobId('company'),
      ]),
    ).toEqual([['entity', ['Initech']]]);
  });

  it('lets only courtesy sentences cite nothing, and refuses unknown ids', () => {
    expect(rules('Thank you for your time and consideration.', [])).toEqual([]);
    expect(rules('I am a great fit.', [])).toEqual([['no_citation', []]]);
    expect(rules('I know Go.', ['job:sentence.9~deadbeef'])).toEqual([
      ['unknown_citation', ['job:sentence.9~deadbeef']],
    ]);
  });

  it('drops rejected sentences, records them, and falls back when too little is left', () => {
    const written: CoverLetter = {
      paragraphs: [
        { sentences: [{ text: 'I won the Turing Award at Acme Pay.', cites: [idOf('/work/0')] }] },
        { sentences: [{ text: 'Thank you for your time and consideration.', cites: [] }] },
      ],
    };
    const result = verifiedLetter(
      { profile, analysis, job },
      { letter: written, source: 'optimizer' },
    );
    expect(result.fellBack).toBe(true);
    expect(result.source).toBe('embedded-fallback');
    expect(result.rejections.map((r) => r.rule)).toContain('award');
    expect(JSON.stringify(result.letter)).not.toContain('Turing');
    expect(result.letter).toEqual(writeCoverLetter(profile, analysis, job));
  });
});

describe('properties', () => {
  const withHighlights = corpus.filter((p) =>
    profileItems(p).some((item) => item.kind === 'highlight' && item.entry.startsWith('/work/')),
  );

  it.each(FABRICATION_KINDS)('rejects any letter sentence with an injected %s', (kind) => {
    fc.assert(
      fc.property(
        fc.constantFrom(...withHighlights),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 40 }),
        (source, pick, seed, jobSeed) => {
          const posted = generateJob(jobSeed);
          const letter = writeCoverLetter(source, analyzeJob(posted), posted);
          const highlights = profileItems(source).filter(
            (item) => item.kind === 'highlight' && item.entry.startsWith('/work/'),
          );
          const item = highlights[pick % highlights.length];
          if (!item) return;
          const facts =
            (source.work ?? [])[Number(item.entry.split('/')[2])] ??
            ({} as Record<string, unknown>);
          const years = [facts.startDate, facts.endDate]
            .filter((d): d is string => typeof d === 'string')
            .map((d) => Number(d.slice(0, 4)));
          const fabrication = fabricate(
            kind,
            item.text,
            `${JSON.stringify(source)}\n${JSON.stringify(posted)}`,
            seed,
            { years, context: entryFacts(facts) },
          );
          fc.pre(fabrication !== undefined);
          if (!fabrication) return;
          // The fabricated sentence, cited like the honest one, goes into the fit paragraph.
          const injected = structuredClone(letter);
          const at = Math.min(1, injected.paragraphs.length - 1);
          injected.paragraphs[at]?.sentences.push({
            text: `I ${fabrication.text.charAt(0).toLowerCase()}${fabrication.text.slice(1)}`,
            cites: [item.id],
          });
          const direct = { text: fabrication.text, cites: [item.id] };
          injected.paragraphs[at]?.sentences.push(direct);
          const result = verifyCoverLetter(new ClaimChecker(source, posted), injected);
          const rejected = new Set(result.rejections.map((r) => `${r.paragraph}/${r.sentence}`));
          const count = injected.paragraphs[at]?.sentences.length ?? 0;
          expect(rejected.has(`${at}/${count - 1}`)).toBe(true);
          const texts = result.letter.paragraphs.flatMap((p) => p.sentences.map((x) => x.text));
          expect(texts.join('\n')).not.toContain(fabrication.text);
          const word = fabrication.token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          const honest = letter.paragraphs
            .flatMap((p) => p.sentences.map((x) => x.text))
            .join('\n');
          if (!new RegExp(`\\b${word}\\b`, 'i').test(honest))
            expect(texts.join('\n')).not.toMatch(new RegExp(`\\b${word}\\b`, 'i'));
        },
      ),
      { numRuns: 25 },
    );
  });
});
