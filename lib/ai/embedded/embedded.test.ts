import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type JobAnalysis,
  type JsonResume,
  jobAnalysisSchema,
  matchResultSchema,
  TAILOR_STRATEGIES,
} from '../contract.ts';
import {
  analyzeJob,
  htmlToText,
  inventedStrings,
  matchScorer,
  respell,
  scoreMatch,
  skillMatcher,
  tailorResume,
  tailorResumeWithRewrites,
} from './index.ts';

const sample = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/jsonresume/sample.resume.json', import.meta.url),
    'utf8',
  ),
) as JsonResume;

const backendJob = {
  title: 'Senior Backend Engineer',
  company: 'Acme Payments',
  description: `<h2>About us</h2><p>Acme builds payments infrastructure. We were founded 10 years ago.</p>
<h3>Requirements</h3><ul><li>5+ years of experience building backend services in Go or Python</li>
<li>Strong knowledge of postgres and Redis</li><li>Experience with k8s and Terraform on AWS</li></ul>
<h3>Nice to have</h3><ul><li>Kafka, gRPC</li><li>Experience with React is a plus</li></ul>
<p>This is a hybrid role, 3 days per week in the office in Berlin.</p>`,
};

describe('skill matcher', () => {
  it('maps aliases to canonical skills', () => {
    const found = [...skillMatcher().find('We run k8s, postgres, node.js and CI/CD on GCP').keys()];
    expect(found).toEqual(['Kubernetes', 'PostgreSQL', 'Node.js', 'CI/CD', 'Google Cloud']);
  });

  it('matches ambiguous short names only with their exact case', () => {
    expect([...skillMatcher().find('Experience with Go and R').keys()]).toEqual(['Go', 'R']);
    expect([...skillMatcher().find('you will go far, or not').keys()]).toEqual([]);
    expect([...skillMatcher().find('deploys in less than 10 minutes').keys()]).toEqual([]);
    expect([...skillMatcher().find('styles in Less and LESS').keys()]).toEqual(['Less']);
  });

  it('splits slash and hyphen compounds that are not skills themselves', () => {
    expect([...skillMatcher().find('React/Redux, Python-based tooling').keys()]).toEqual([
      'React',
      'Redux',
      'Python',
    ]);
  });
});

describe('analyzeJob', () => {
  it('separates must-haves from nice-to-haves by section and detects years, seniority, remote', () => {
    const analysis = analyzeJob(backendJob);
    expect(jobAnalysisSchema.parse(analysis)).toEqual(analysis);
    expect(analysis.seniority).toBe('senior');
    expect(analysis.yearsMin).toBe(5);
    expect(analysis.remote).toBe('hybrid');
    expect(analysis.mustHave).toEqual([
      'Go',
      'Python',
      'PostgreSQL',
      'Redis',
      'Kubernetes',
      'Terraform',
      'AWS',
    ]);
    expect(analysis.niceToHave).toEqual(['Kafka', 'gRPC', 'React']);
    expect(analysis.keywords).toContain('Payments');
  });

  it('does not read the company age as required years', () => {
    const analysis = analyzeJob({
      title: 'Data Analyst',
      description: 'We were founded 12 years ago. You know SQL and Tableau.',
    });
    expect(analysis.yearsMin).toBeNull();
    expect(analysis.mustHave).toEqual(['SQL', 'Tableau']);
  });

  it('reads entity-escaped HTML as Greenhouse returns it', () => {
    const escaped =
      '&lt;p&gt;Requirements:&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Deep TypeScript skills&lt;/li&gt;&lt;/ul&gt;&lt;p&gt;Fully remote.&lt;/p&gt;';
    expect(htmlToText(escaped)).toContain('Deep TypeScript skills');
    const analysis = analyzeJob({ title: 'Frontend Engineer', description: escaped });
    expect(analysis.mustHave).toEqual(['TypeScript']);
    expect(analysis.remote).toBe('remote');
  });

  it.each([
    ['Software Engineering Intern', 'intern'],
    ['Jr. Developer', 'junior'],
    ['Staff Engineer, Platform', 'staff'],
    ['Principal Data Scientist', 'principal'],
    ['Tech Lead, Payments', 'lead'],
    ['Senior Engineering Manager', 'manager'],
    ['VP of Engineering', 'director'],
    ['Backend Engineer II', 'mid'],
  ] as const)('detects %s as %s', (title, seniority) => {
    expect(analyzeJob({ title, description: 'Build things with Python.' }).seniority).toBe(
      seniority,
    );
  });

  it('detects on-site, remote and unknown policies', () => {
    const at = (description: string, location?: string) =>
      analyzeJob({ title: 'Engineer', description, ...(location ? { location } : {}) }).remote;
    expect(at('This is not a remote position. Work on-site in Austin.')).toBe('onsite');
    expect(at('We are remote-first.')).toBe('remote');
    expect(at('Build APIs.', 'Remote - US')).toBe('remote');
    expect(at('Build APIs.')).toBe('unknown');
  });

  it('is deterministic', () => {
    expect(analyzeJob(backendJob)).toEqual(analyzeJob(backendJob));
  });
});

const analysis: JobAnalysis = {
  title: 'Web Developer',
  seniority: 'mid',
  mustHave: ['JavaScript', 'HTML', 'PostgreSQL'],
  niceToHave: ['CSS', 'Kubernetes'],
  keywords: ['JavaScript', 'HTML', 'PostgreSQL', 'CSS', 'Kubernetes', 'compression'],
  yearsMin: null,
  location: null,
  remote: 'unknown',
};

describe('scoreMatch', () => {
  it('reports matched and missing keywords with a weighted score', () => {
    const match = scoreMatch(sample, analysis);
    expect(matchResultSchema.parse(match)).toEqual(match);
    expect(match.matched).toEqual(['JavaScript', 'HTML', 'CSS', 'compression']);
    expect(match.missing).toEqual(['PostgreSQL', 'Kubernetes']);
    // must 3+3 of 9, others 1+1 of 3: 8 of 12
    expect(match.score).toBe(67);
  });

  it('penalizes fewer years than the job asks', () => {
    const withYears = scoreMatch(sample, { ...analysis, yearsMin: 10 });
    expect(withYears.score).toBe(Math.round((100 * 8 * 0.85) / 12));
  });

  it('scores many jobs from one reading of the profile, each as on its own', () => {
    const jobs: JobAnalysis[] = [
      analysis,
      { ...analysis, yearsMin: 10 },
      { ...analysis, mustHave: ['Rust'], niceToHave: [], keywords: ['Rust', 'HTML'] },
      { ...analysis, mustHave: [], niceToHave: [], keywords: [] },
    ];
    const score = matchScorer(sample);
    expect(jobs.map((job) => score(job))).toEqual(jobs.map((job) => scoreMatch(sample, job)));
    expect(score(jobs[2] as JobAnalysis)).toEqual({
      score: 25,
      matched: ['HTML'],
      missing: ['Rust'],
    });
  });
});

describe('tailorResume', () => {
  const profile: JsonResume = {
    basics: { name: 'Ada' },
    skills: [
      { name: 'Compression', keywords: ['MP4', 'GIF'] },
      { name: 'Web', keywords: ['CSS', 'HTML', 'JavaScript'] },
    ],
    work: [
      {
        name: 'Old Co',
        position: 'Engineer',
        highlights: ['Wrote Perl scripts', 'Built PostgreSQL schemas', 'Cut costs by 30%'],
      },
      {
        name: 'New Co',
        position: 'Frontend developer',
        highlights: [
          'Made coffee',
          'Shipped JavaScript apps',
          'Ran HTML email campaigns',
          'Went to meetings',
        ],
      },
    ],
  };

  it('puts matching skills and highlights first and leads with the most relevant role', () => {
    const variant = tailorResume(profile, analysis, 'keyword-first');
    expect(variant.skills?.map((s) => s.name)).toEqual(['Web', 'Compression']);
    expect(variant.skills?.[0]?.keywords).toEqual(['HTML', 'JavaScript', 'CSS']);
    expect(variant.work?.map((w) => w.name)).toEqual(['New Co', 'Old Co']);
    expect(variant.work?.[0]?.highlights?.slice(0, 2)).toEqual([
      'Shipped JavaScript apps',
      'Ran HTML email campaigns',
    ]);
  });

  it('keeps the order of roles for impact-first and leads with measurable results', () => {
    const variant = tailorResume(profile, analysis, 'impact-first');
    expect(variant.work?.map((w) => w.name)).toEqual(['Old Co', 'New Co']);
    expect(variant.work?.[0]?.highlights?.[0]).toBe('Cut costs by 30%');
  });

  it('keeps fewer highlights and only relevant skills when concise', () => {
    const job = { ...analysis, keywords: analysis.keywords.filter((k) => k !== 'compression') };
    const variant = tailorResume(profile, job, 'concise');
    expect(variant.skills?.map((s) => s.name)).toEqual(['Web']);
    expect(variant.work?.[1]?.highlights).toHaveLength(3);
    expect(variant.work?.[1]?.highlights).not.toContain('Went to meetings');
  });

  it('never outputs a string that is not in the profile (property)', () => {
    const text = fc.string({ maxLength: 40 });
    const words = fc.constantFrom(
      'Go',
      'Python',
      'k8s',
      'React',
      'SQL',
      'led',
      '30%',
      'Kafka',
      'x',
    );
    const phrase = fc.array(fc.oneof(text, words), { maxLength: 6 }).map((p) => p.join(' '));
    const entry = fc.record(
      {
        name: phrase,
        position: phrase,
        summary: phrase,
        startDate: fc.constantFrom('2019-01-01', '2021-06-01'),
        highlights: fc.array(phrase, { maxLength: 6 }),
        extra: fc.dictionary(fc.string({ maxLength: 5 }), phrase, { maxKeys: 2 }),
      },
      { requiredKeys: [] },
    );
    const profileArb = fc.record(
      {
        basics: fc.record({ name: phrase, summary: phrase }, { requiredKeys: [] }),
        work: fc.array(entry, { maxLength: 5 }),
        projects: fc.array(entry, { maxLength: 5 }),
        skills: fc.array(
          fc.record(
            { name: phrase, keywords: fc.array(phrase, { maxLength: 6 }) },
            { requiredKeys: [] },
          ),
          { maxLength: 5 },
        ),
      },
      { requiredKeys: [] },
    );
    const analysisArb = fc.record({
      title: fc.constant('Engineer'),
      seniority: fc.constant('mid' as const),
      mustHave: fc.array(
        fc.oneof(
          words,
          text.filter((s) => s.trim() !== ''),
        ),
        { maxLength: 5 },
      ),
      niceToHave: fc.array(words, { maxLength: 5 }),
      keywords: fc.array(words, { maxLength: 8 }),
      yearsMin: fc.constant(null),
      location: fc.constant(null),
      remote: fc.constant('unknown' as const),
    });
    fc.assert(
      fc.property(profileArb, analysisArb, fc.constantFrom(...TAILOR_STRATEGIES), (p, a, s) => {
        const before = structuredClone(p);
        const variant = tailorResume(p, a, s);
        expect(inventedStrings(p, variant)).toEqual([]);
        expect(p).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it('detects an invented string', () => {
    const variant = tailorResume(sample, analysis, 'keyword-first');
    const tampered = { ...variant, work: [{ ...variant.work?.[0], name: 'Google' }] };
    expect(inventedStrings(sample, tampered)).toEqual(['Google']);
  });
});

describe('tailorResumeWithRewrites', () => {
  const profile: JsonResume = {
    basics: { name: 'Ada', label: 'Platform Engineer', summary: 'I run Go services.' },
    work: [
      {
        name: 'Acme',
        position: 'Engineer',
        highlights: [
          'Cut deploy time by 40% for the 30 services we run on k8s',
          'Wrote the on-call handbook',
        ],
      },
    ],
    projects: [{ name: 'Tracer', description: 'A tracing library.', keywords: ['Go', 'gRPC'] }],
    skills: [{ name: 'Infra', keywords: ['Kubernetes', 'Go', 'Terraform'] }],
  };
  const job = analyzeJob({
    title: 'Platform Engineer',
    description: 'Requirements: Kubernetes, Go, Terraform and gRPC.',
  });

  it('writes a summary of the evidenced job keywords, citing the label and the skills', () => {
    const { variant, citations } = tailorResumeWithRewrites(profile, job, 'impact-first');
    expect(variant.basics?.summary).toBe(
      'Platform Engineer experienced in Kubernetes, Go, Terraform and gRPC. I run Go services.',
    );
    const summary = citations.find((c) => c.pointer === '/basics/summary');
    expect(summary?.cites).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^basics\.label~/),
        expect.stringMatching(/^skills\.0~/),
      ]),
    );
  });

  it("respells a keyword the job's way, leads with it for keyword-first, and names project keywords", () => {
    expect(respell('ran k8s and golang', ['Kubernetes', 'Go'])).toBe('ran Kubernetes and Go');
    const impact = tailorResumeWithRewrites(profile, job, 'impact-first').variant;
    expect(impact.work?.[0]?.highlights?.[0]).toBe(
      'Cut deploy time by 40% for the 30 services we run on Kubernetes',
    );
    const first = tailorResumeWithRewrites(profile, job, 'keyword-first');
    expect(first.variant.work?.[0]?.highlights?.[0]).toBe(
      'Kubernetes: Cut deploy time by 40% for the 30 services we run on Kubernetes',
    );
    expect(first.variant.work?.[0]?.highlights?.[1]).toBe('Wrote the on-call handbook');
    expect(first.variant.projects?.[0]?.description).toBe(
      'A tracing library (built with Go and gRPC).',
    );
    // Every rewritten text is cited; the untouched ones are not.
    expect(first.citations.map((c) => c.pointer).sort()).toEqual([
      '/basics/summary',
      '/projects/0/description',
      '/work/0/highlights/0',
    ]);
  });
});
