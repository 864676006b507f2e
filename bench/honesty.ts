/**
 * Honesty benchmark (`make bench-honesty`): does grounded rewriting write
 * better and invent nothing? Three figures over the corpus of
 * bench/honesty-corpus.ts (≥ 50 profile/job pairs):
 *
 * 1. Fabrication recall, per kind: a fake OpenAI-compatible server (the real
 *    `openai` SDK pointed at it through the optimizer's provider chain)
 *    answers each tailor-resume request with the embedded variant in which one
 *    highlight is a faithful paraphrase plus ONE fabrication of a given kind,
 *    correctly cited. Caught: the cell's verifier rejects that text and it
 *    does not reach the verified variant. Target 100% for each kind.
 * 2. False rejections: every hand-written faithful paraphrase of
 *    test/fixtures/honesty/paraphrases.json, cited, against a profile holding
 *    its source. Target ≤ 5% rejected.
 * 3. Keyword coverage: the job's must-have keywords that the profile
 *    evidences and that the variant's prose (summary, entry summaries,
 *    descriptions and highlights) names, for the selection-only master variant
 *    and for the rewritten one after verification. Target: rewritten variants
 *    name ≥ 20% more of them (reported over all pairs, and as per-pair medians).
 * 4. Cover-letter fabrication recall, per kind: the same fake provider answers
 *    each cover-letter request with the embedded letter plus one sentence (a
 *    faithful paraphrase of a highlight with ONE fabrication of a given kind),
 *    citing that highlight. Caught: the cell's letter verification rejects the
 *    sentence and it is not in the letter that goes out. Target 100% per kind.
 *    Also: the embedded letters' sentences the verifier rejects (target 0).
 *
 * No timings. Writes bench/results/honesty.json and prints it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { ClaimChecker } from '../cell/domain/applications/claim-verifier.ts';
import { verifiedLetter, verifyCoverLetter } from '../cell/domain/applications/cover-letter.ts';
import {
  FABRICATION_KINDS,
  type FabricationKind,
  fabricate,
} from '../cell/domain/applications/test-support/fabrications.ts';
import {
  type ResumeDocument,
  verifyTailoredVariant,
} from '../cell/domain/applications/verifier.ts';
import type { Citation, CoverLetter, JsonResume, TailoredResume } from '../lib/ai/contract.ts';
import {
  skillMatcher,
  tailorResume,
  tailorResumeWithRewrites,
  writeCoverLetter,
} from '../lib/ai/embedded/index.ts';
import { hasEvidence, profileEvidence } from '../lib/ai/embedded/profile-text.ts';
import { entryFacts, pointerOf, profileItems } from '../lib/ai/profile-items.ts';
import { createLogger } from '../lib/logger.ts';
import {
  type CatalogEntry,
  EMBEDDED_ENTRY,
} from '../shared-services/ai-optimizer/domain/catalog.ts';
import { createOpenAiProvider } from '../shared-services/ai-optimizer/domain/chat-providers.ts';
import { ProviderChain } from '../shared-services/ai-optimizer/domain/provider-chain.ts';
import { startFakeLlmServer } from '../shared-services/ai-optimizer/test-support/fake-llm-server.ts';
import { buildHonestyCorpus, loadParaphrases } from './honesty-corpus.ts';

const PAIRS = Number(process.env.BENCH_HONESTY_PAIRS ?? 60);
const MODEL: CatalogEntry = {
  provider: 'openai',
  model: 'gpt-fabricator',
  inputUsdPerMTok: 0,
  outputUsdPerMTok: 0,
  tier: 3,
  contextWindow: 1_000_000,
  batch: false,
};

type Entry = { name?: string; position?: string; startDate?: string; highlights?: string[] };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Prose a recruiter reads in context: summary, entry summaries, descriptions, highlights. */
function proseOf(variant: JsonResume): string {
  const parts: string[] = [];
  if (typeof variant.basics?.summary === 'string') parts.push(variant.basics.summary);
  for (const section of ['work', 'projects', 'volunteer'] as const) {
    for (const entry of (variant[section] ?? []) as Record<string, unknown>[]) {
      for (const field of ['summary', 'description'])
        if (typeof entry[field] === 'string') parts.push(entry[field] as string);
      if (Array.isArray(entry.highlights)) parts.push(...(entry.highlights as string[]));
    }
  }
  return parts.join('\n');
}

function covered(variant: JsonResume, keywords: readonly string[]): number {
  const found = skillMatcher().find(proseOf(variant));
  return keywords.filter((k) => found.has(skillMatcher().canonicalOf(k) ?? k)).length;
}

/** A highlight of the variant, its place and the profile item it restates. */
interface Target {
  pointer: string;
  itemId: string;
  itemText: string;
  years: number[];
  context: string;
}

function targets(profile: JsonResume, tailored: TailoredResume): Target[] {
  const items = profileItems(profile);
  const cited = new Map(tailored.citations.map((c) => [c.pointer, c.cites]));
  const out: Target[] = [];
  const sources = (profile.work ?? []) as Entry[];
  ((tailored.variant.work ?? []) as Entry[]).forEach((entry, e) => {
    const s = sources.findIndex(
      (src) =>
        src.name === entry.name &&
        src.position === entry.position &&
        src.startDate === entry.startDate,
    );
    if (s < 0) return;
    const source = sources[s] as Entry & { endDate?: string };
    (entry.highlights ?? []).forEach((text, h) => {
      const pointer = pointerOf(['work', e, 'highlights', h]);
      const byCitation = cited.get(pointer)?.[0];
      const item = byCitation
        ? items.find((i) => i.id === byCitation)
        : items.find((i) => i.entry === `/work/${s}` && i.kind === 'highlight' && i.text === text);
      if (!item) return;
      out.push({
        pointer,
        itemId: item.id,
        itemText: item.text,
        years: [source.startDate, source.endDate]
          .filter((d): d is string => typeof d === 'string')
          .map((d) => Number(d.slice(0, 4))),
        context: entryFacts(source as Record<string, unknown>),
      });
    });
  });
  return out;
}

function setAt(variant: JsonResume, pointer: string, text: string): void {
  const [, section, e, field, h] = pointer.split('/');
  const entry = (variant as Record<string, Record<string, unknown>[]>)[section as string]?.[
    Number(e)
  ];
  (entry?.[field as string] as string[])[Number(h)] = text;
}

async function main(): Promise<void> {
  const logger = createLogger({ service: 'bench-honesty', level: 'silent' });
  const corpus = buildHonestyCorpus(PAIRS);
  const paraphrases = loadParaphrases();
  const paraphraseOf = new Map(paraphrases.map((p) => [p.source, p.paraphrases]));

  // ---- 1. fabrication recall through a fake OpenAI-compatible provider ----------------------
  const fake = await startFakeLlmServer('openai');
  const chain = new ProviderChain({
    providers: {
      openai: createOpenAiProvider({ kind: 'openai', apiKey: 'sk-bench', baseURL: fake.baseURL }),
    },
    logger,
    maxRetries: 0,
  });
  const recall: Record<
    string,
    { injected: number; caught: number; byRule: Record<string, number> }
  > = Object.fromEntries(FABRICATION_KINDS.map((k) => [k, { injected: 0, caught: 0, byRule: {} }]));
  const missed: { kind: FabricationKind; text: string }[] = [];
  let answeredByFake = 0;
  const letterRecall: typeof recall = Object.fromEntries(
    FABRICATION_KINDS.map((k) => [k, { injected: 0, caught: 0, byRule: {} }]),
  );
  const letterMissed: { kind: FabricationKind; text: string }[] = [];
  const letterEmbedded = { sentences: 0, rejected: 0 };
  let letterAnsweredByFake = 0;
  let letterFellBack = 0;
  try {
    for (const pair of corpus) {
      const base = tailorResumeWithRewrites(pair.profile, pair.analysis, 'keyword-first');
      const places = targets(pair.profile, base);
      for (const [k, kind] of FABRICATION_KINDS.entries()) {
        // One fabrication per answer, in a paraphrase of a highlight the kind applies to.
        let answer: { tailored: TailoredResume; pointer: string; text: string } | undefined;
        for (let attempt = 0; attempt < places.length && !answer; attempt += 1) {
          const place = places[(pair.id + k + attempt) % places.length] as Target;
          const faithful = paraphraseOf.get(place.itemText)?.[(pair.id + k) % 3] ?? place.itemText;
          const fabrication = fabricate(kind, faithful, JSON.stringify(pair.profile), pair.id + k, {
            years: place.years,
            context: place.context,
          });
          if (!fabrication) continue;
          const tailored = structuredClone(base);
          setAt(tailored.variant, place.pointer, fabrication.text);
          const citations: Citation[] = tailored.citations.filter(
            (c) => c.pointer !== place.pointer,
          );
          citations.push({ pointer: place.pointer, cites: [place.itemId] });
          answer = {
            tailored: { ...tailored, citations },
            pointer: place.pointer,
            text: fabrication.text,
          };
        }
        if (!answer) continue;
        const body = JSON.stringify(answer.tailored);
        fake.behave = () => ({ type: 'text', text: body });
        const result = await chain.run(
          'tailor-resume',
          { profile: pair.profile, analysis: pair.analysis, strategy: 'keyword-first' },
          [MODEL, EMBEDDED_ENTRY],
          Date.now() + 30_000,
          1_000,
        );
        if (result.entry.provider === 'openai') answeredByFake += 1;
        const verdict = verifyTailoredVariant(
          pair.profile as ResumeDocument,
          result.output.variant as ResumeDocument,
          result.output.citations,
        );
        const tally = recall[kind] as (typeof recall)[string];
        tally.injected += 1;
        const rejection = verdict.rejections.find((r) => r.pointer === answer.pointer);
        const reached = JSON.stringify(verdict.variant).includes(answer.text);
        if (rejection && !reached && verdict.ok) {
          tally.caught += 1;
          tally.byRule[rejection.rule] = (tally.byRule[rejection.rule] ?? 0) + 1;
        } else if (missed.length < 20) missed.push({ kind, text: answer.text });
      }
    }
    // ---- 4. cover-letter fabrication recall, through the same provider chain ---------------
    for (const pair of corpus) {
      const input = { profile: pair.profile, analysis: pair.analysis, job: pair.job };
      const honest = writeCoverLetter(pair.profile, pair.analysis, pair.job);
      const checker = new ClaimChecker(pair.profile, pair.job);
      const own = verifyCoverLetter(checker, honest);
      letterEmbedded.sentences += honest.paragraphs.flatMap((p) => p.sentences).length;
      letterEmbedded.rejected += new Set(
        own.rejections.map((r) => `${r.paragraph}/${r.sentence}`),
      ).size;
      const places = targets(
        pair.profile,
        tailorResumeWithRewrites(pair.profile, pair.analysis, 'keyword-first'),
      );
      for (const [k, kind] of FABRICATION_KINDS.entries()) {
        let letter: { body: CoverLetter; text: string } | undefined;
        for (let attempt = 0; attempt < places.length && !letter; attempt += 1) {
          const place = places[(pair.id + k + attempt) % places.length] as Target;
          const faithful = paraphraseOf.get(place.itemText)?.[(pair.id + k) % 3] ?? place.itemText;
          const fabrication = fabricate(kind, faithful, JSON.stringify(pair.profile), pair.id + k, {
            years: place.years,
            context: place.context,
          });
          if (!fabrication) continue;
          const body = structuredClone(honest);
          body.paragraphs[Math.min(1, body.paragraphs.length - 1)]?.sentences.push({
            text: fabrication.text,
            cites: [place.itemId],
          });
          letter = { body, text: fabrication.text };
        }
        if (!letter) continue;
        const text = JSON.stringify(letter.body);
        fake.behave = () => ({ type: 'text', text });
        const result = await chain.run(
          'cover-letter',
          input,
          [MODEL, EMBEDDED_ENTRY],
          Date.now() + 30_000,
          1_000,
        );
        if (result.entry.provider === 'openai') letterAnsweredByFake += 1;
        const verified = verifiedLetter(input, {
          letter: result.output,
          source: result.entry.provider === 'openai' ? 'optimizer' : 'embedded',
        });
        const tally = letterRecall[kind] as (typeof letterRecall)[string];
        tally.injected += 1;
        const rejection = verified.rejections.find((r) => r.text === letter.text);
        const reached = JSON.stringify(verified.letter).includes(letter.text);
        if (rejection && !reached) {
          tally.caught += 1;
          tally.byRule[rejection.rule] = (tally.byRule[rejection.rule] ?? 0) + 1;
          if (verified.fellBack) letterFellBack += 1;
        } else if (letterMissed.length < 20) letterMissed.push({ kind, text: letter.text });
      }
    }
  } finally {
    await fake.close();
  }

  // ---- 2. false rejections of faithful paraphrases ------------------------------------------
  let total = 0;
  let rejected = 0;
  const rejectedByRule: Record<string, number> = {};
  const rejectedExamples: { paraphrase: string; rule: string; offending: string[] }[] = [];
  for (const { source, paraphrases: list } of paraphrases) {
    const profile: JsonResume = {
      basics: { name: 'Ada Park', label: 'Software Engineer' },
      work: [
        {
          name: 'Acme Pay',
          position: 'Software Engineer',
          startDate: '2018-04-01',
          highlights: [source],
        },
      ],
    };
    const item = profileItems(profile).find((i) => i.pointer === '/work/0/highlights/0');
    for (const paraphrase of list) {
      total += 1;
      const variant = structuredClone(profile);
      setAt(variant, '/work/0/highlights/0', paraphrase);
      const verdict = verifyTailoredVariant(profile as ResumeDocument, variant as ResumeDocument, [
        { pointer: '/work/0/highlights/0', cites: [item?.id ?? ''] },
      ]);
      const rejection = verdict.rejections[0];
      if (rejection) {
        rejected += 1;
        rejectedByRule[rejection.rule] = (rejectedByRule[rejection.rule] ?? 0) + 1;
        rejectedExamples.push({ paraphrase, rule: rejection.rule, offending: rejection.offending });
      }
    }
  }

  // ---- 3. keyword coverage: rewritten vs master ---------------------------------------------
  const strategies = ['keyword-first', 'impact-first', 'concise'] as const;
  const coverage: Record<string, { master: number[]; rewritten: number[]; evidenced: number[] }> =
    Object.fromEntries(strategies.map((s) => [s, { master: [], rewritten: [], evidenced: [] }]));
  let embeddedRewrites = 0;
  let embeddedRejections = 0;
  for (const pair of corpus) {
    const evidence = profileEvidence(pair.profile);
    const must = pair.analysis.mustHave.filter((k) => hasEvidence(evidence, k));
    for (const strategy of strategies) {
      const master = tailorResume(pair.profile, pair.analysis, strategy);
      const tailored = tailorResumeWithRewrites(pair.profile, pair.analysis, strategy);
      const verdict = verifyTailoredVariant(
        pair.profile as ResumeDocument,
        tailored.variant as ResumeDocument,
        tailored.citations,
      );
      embeddedRewrites += verdict.rewrites.length;
      embeddedRejections += verdict.rejections.length;
      const row = coverage[strategy] as (typeof coverage)[string];
      row.evidenced.push(must.length);
      row.master.push(covered(master, must));
      row.rewritten.push(covered(verdict.variant as JsonResume, must));
    }
  }

  const recallReport = Object.fromEntries(
    Object.entries(recall).map(([kind, t]) => [
      kind,
      {
        injected: t.injected,
        caught: t.caught,
        recall: t.injected ? round(t.caught / t.injected) : null,
        byRule: t.byRule,
      },
    ]),
  );
  const coverageReport = Object.fromEntries(
    strategies.map((s) => {
      const row = coverage[s] as (typeof coverage)[string];
      const masterMedian = median(row.master);
      const rewrittenMedian = median(row.rewritten);
      const gains = row.master.map((m, i) => (row.rewritten[i] as number) - m);
      return [
        s,
        {
          medianEvidencedMustHave: median(row.evidenced),
          medianCoveredMaster: masterMedian,
          medianCoveredRewritten: rewrittenMedian,
          ratioOfMedians: masterMedian > 0 ? round(rewrittenMedian / masterMedian) : null,
          medianGainPerPair: median(gains),
          medianRatioPerPair: round(
            median(
              row.master
                .map((m, i) => (m > 0 ? (row.rewritten[i] as number) / m : Number.NaN))
                .filter((r) => !Number.isNaN(r)),
            ),
          ),
          pairsGaining: gains.filter((g) => g > 0).length,
          pairsLosing: gains.filter((g) => g < 0).length,
          coverageShareMaster: round(sum(row.master) / Math.max(1, sum(row.evidenced))),
          coverageShareRewritten: round(sum(row.rewritten) / Math.max(1, sum(row.evidenced))),
          /** Evidenced must-haves named in prose, all pairs: rewritten ÷ master − 1. */
          moreKeywords: round(sum(row.rewritten) / Math.max(1, sum(row.master)) - 1),
        },
      ];
    }),
  );
  const injected = Object.values(recall).reduce((a, t) => a + t.injected, 0);
  const caught = Object.values(recall).reduce((a, t) => a + t.caught, 0);
  const result = {
    pairs: corpus.length,
    fabrication: {
      kinds: FABRICATION_KINDS.length,
      injected,
      caught,
      recall: round(caught / Math.max(1, injected)),
      answeredByFakeProvider: answeredByFake,
      perKind: recallReport,
      missed,
    },
    falseRejection: {
      paraphrases: total,
      rejected,
      share: round(rejected / Math.max(1, total)),
      byRule: rejectedByRule,
      examples: rejectedExamples.slice(0, 10),
    },
    keywordCoverage: coverageReport,
    coverLetter: {
      injected: sum(Object.values(letterRecall).map((t) => t.injected)),
      caught: sum(Object.values(letterRecall).map((t) => t.caught)),
      recall: round(
        sum(Object.values(letterRecall).map((t) => t.caught)) /
          Math.max(1, sum(Object.values(letterRecall).map((t) => t.injected))),
      ),
      answeredByFakeProvider: letterAnsweredByFake,
      /** Letters left with no verified fact about the candidate: the embedded letter went out. */
      fellBackToEmbedded: letterFellBack,
      perKind: Object.fromEntries(
        Object.entries(letterRecall).map(([kind, t]) => [
          kind,
          {
            injected: t.injected,
            caught: t.caught,
            recall: t.injected ? round(t.caught / t.injected) : null,
            byRule: t.byRule,
          },
        ]),
      ),
      missed: letterMissed,
      embedded: letterEmbedded,
    },
    embedded: { rewrites: embeddedRewrites, rejections: embeddedRejections },
    targets: {
      recallPerKind: 1,
      falseRejectionShare: 0.05,
      moreKeywords: 0.2,
      coverLetterRecallPerKind: 1,
    },
  };
  mkdirSync('bench/results', { recursive: true });
  const json = JSON.stringify(result, null, 2);
  writeFileSync('bench/results/honesty.json', `${json}\n`);
  console.log(json);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

await main();
