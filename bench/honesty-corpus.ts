/**
 * The corpus of `make bench-honesty`: (profile, job) pairs built in the
 * project. Jobs come from the posting generator of the AI optimizer's tests
 * (job-corpus.ts); each profile is built for its job from the hand-written
 * highlights of test/fixtures/honesty/paraphrases.json: the highlights closest
 * to the job's stack plus unrelated ones, over three roles with real dates,
 * and a skills section that lists some of the job's must-haves the highlights
 * never mention (as real profiles do). Deterministic: same count, same pairs.
 */
import { readFileSync } from 'node:fs';
import type { JobAnalysis, JobInput, JsonResume } from '../lib/ai/contract.ts';
import { analyzeJob, skillMatcher } from '../lib/ai/embedded/index.ts';
import { createRng } from '../lib/random.ts';
import { generateJob } from '../shared-services/ai-optimizer/test-support/job-corpus.ts';

export interface ParaphraseSource {
  source: string;
  paraphrases: string[];
}

export interface HonestyPair {
  id: number;
  job: JobInput;
  analysis: JobAnalysis;
  profile: JsonResume;
}

export function loadParaphrases(): ParaphraseSource[] {
  const url = new URL('../test/fixtures/honesty/paraphrases.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { sources: ParaphraseSource[] }).sources;
}

const EMPLOYERS = [
  'Acme Pay',
  'Globex Systems',
  'Initech',
  'Umbrella Health',
  'Hooli',
  'Vandelay Industries',
  'Soylent Labs',
  'Cyberdyne Analytics',
  'Wayne Logistics',
  'Pied Piper',
];
const CITIES = ['Lisbon', 'Austin', 'Denver', 'Dublin', 'Warsaw', 'Chicago'];
const NAMES = ['Ada Park', 'Grace Okafor', 'Linus Meyer', 'Zoë Laurent', 'Ravi Menon', 'Mia Chen'];
const EXTRA_SKILLS = ['Git', 'Linux', 'Jira', 'Docker', 'SQL', 'Bash'];
const LEVEL = /^(senior|staff|junior|lead|principal)\s+/i;

function pickFrom<T>(list: readonly T[], rng: () => number): T {
  return list[Math.floor(rng() * list.length)] as T;
}

/** `count` pairs (at least 50 for the bench). */
export function buildHonestyCorpus(count = 60): HonestyPair[] {
  const sources = loadParaphrases();
  const matcher = skillMatcher();
  const skillsOf = sources.map((s) => [...matcher.find(s.source).keys()]);
  const pairs: HonestyPair[] = [];
  for (let id = 0; id < count; id += 1) {
    const rng = createRng(7_000 + id);
    const job = generateJob(1_000 + id);
    const analysis = analyzeJob(job);
    const wanted = new Set([...analysis.mustHave, ...analysis.niceToHave]);
    const ranked = sources
      .map((_source, index) => ({
        index,
        score: (skillsOf[index] ?? []).filter((s) => wanted.has(s)).length + rng() * 0.5,
      }))
      .sort((a, b) => b.score - a.score);
    const relevant = ranked.slice(0, 6).map((r) => r.index);
    const others = ranked
      .slice(6)
      .sort(() => rng() - 0.5)
      .slice(0, 4)
      .map((r) => r.index);
    const chosen = [...relevant, ...others].sort(() => rng() - 0.5);
    const base = analysis.title.replace(LEVEL, '');
    const startYear = 2012 + Math.floor(rng() * 4);
    const spans = [
      [startYear, startYear + 3],
      [startYear + 3, startYear + 7],
      [startYear + 7, undefined],
    ] as const;
    const employers = [...EMPLOYERS].sort(() => rng() - 0.5).slice(0, 3);
    const split = [4, 3, 3];
    let next = 0;
    const work = [2, 1, 0].map((span) => {
      const [from, to] = spans[span] as readonly [number, number | undefined];
      const highlights = chosen
        .slice(next, next + (split[span] ?? 3))
        .map((i) => sources[i]?.source as string);
      next += split[span] ?? 3;
      return {
        name: employers[span] as string,
        position: span === 2 ? `Senior ${base}` : span === 1 ? base : `Junior ${base}`,
        location: pickFrom(CITIES, rng),
        startDate: `${from}-0${1 + Math.floor(rng() * 9)}-01`,
        ...(to === undefined ? {} : { endDate: `${to}-0${1 + Math.floor(rng() * 9)}-01` }),
        highlights,
      };
    });
    const inHighlights = new Set(chosen.flatMap((i) => skillsOf[i] ?? []));
    // Some must-haves the highlights never name are still on the skills list.
    const listedOnly = analysis.mustHave.filter((k) => !inHighlights.has(k) && rng() < 0.6);
    const core = [...inHighlights].slice(0, 10);
    const years = 2026 - startYear;
    const lead = core.slice(0, 2);
    pairs.push({
      id,
      job,
      analysis,
      profile: {
        basics: {
          name: pickFrom(NAMES, rng),
          label: `Senior ${base}`,
          email: `candidate${id}@example.com`,
          summary:
            lead.length === 2
              ? `Engineer with ${years} years of experience, most recently with ${lead[0]} and ${lead[1]}.`
              : `Engineer with ${years} years of experience shipping production software.`,
        },
        work,
        education: [
          {
            institution: 'University of Lisbon',
            studyType: 'BSc',
            area: 'Computer Science',
            startDate: `${startYear - 4}-09-01`,
            endDate: `${startYear}-06-01`,
          },
        ],
        skills: [
          { name: 'Core', keywords: core },
          {
            name: 'Also',
            keywords: [...new Set([...listedOnly, ...EXTRA_SKILLS.slice(id % 3, (id % 3) + 2)])],
          },
        ],
      },
    });
  }
  return pairs;
}
