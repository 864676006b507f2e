/**
 * Cover letters: written by a provider (the AI optimizer's `cover-letter` task
 * over HTTP, or the embedded deterministic writer of lib/ai), then verified
 * sentence by sentence with the claim verifier against the profile version
 * and the posting (`ClaimChecker.checkLetterSentence`). A rejected sentence is
 * dropped and recorded with its rule and offending words; a letter left
 * without a verified sentence about the candidate, or without two paragraphs,
 * is replaced by the embedded letter, verified the same way. What is stored,
 * shown, rendered and sent is only ever the verified letter.
 */

import {
  type CoverLetter,
  coverLetterResponseSchema,
  type JobAnalysis,
  type JobInput,
  type JsonResume,
  type LetterSentence,
  TASK_PATHS,
} from '../../../lib/ai/contract.ts';
import { writeCoverLetter } from '../../../lib/ai/embedded/index.ts';
import { JOB_ITEM_PREFIX } from '../../../lib/ai/job-items.ts';
import type { Logger } from '../../../lib/logger.ts';
import { ClaimChecker, type ClaimRule } from './claim-verifier.ts';
import { postOptimizerTask } from './tailoring.ts';

export type LetterSource = 'optimizer' | 'embedded';

export interface LetterInput {
  profile: JsonResume;
  analysis: JobAnalysis;
  job: JobInput;
}

export interface WrittenLetter {
  letter: CoverLetter;
  source: LetterSource;
}

export interface CoverLetterWriter {
  write(input: LetterInput, context: { userId: string }): Promise<WrittenLetter>;
}

export class EmbeddedCoverLetterWriter implements CoverLetterWriter {
  async write(input: LetterInput): Promise<WrittenLetter> {
    return {
      letter: writeCoverLetter(input.profile, input.analysis, input.job),
      source: 'embedded',
    };
  }
}

/** `POST {AI_OPTIMIZER_URL}/v1/tasks/cover-letter`; throws on any failure. */
export class HttpCoverLetterWriter implements CoverLetterWriter {
  private readonly url: string;
  constructor(private readonly options: { baseUrl: string; cellId: string; timeoutMs?: number }) {
    this.url = new URL(TASK_PATHS['cover-letter'], options.baseUrl).toString();
  }

  async write(input: LetterInput, context: { userId: string }): Promise<WrittenLetter> {
    const answer = await postOptimizerTask(this.url, input, {
      cellId: this.options.cellId,
      userId: context.userId,
      timeoutMs: this.options.timeoutMs,
    });
    const parsed = coverLetterResponseSchema.parse(answer);
    return { letter: parsed.letter, source: 'optimizer' };
  }
}

/** The primary writer, the embedded one when it fails. */
export class FallbackCoverLetterWriter implements CoverLetterWriter {
  private readonly embedded = new EmbeddedCoverLetterWriter();
  constructor(
    private readonly primary: CoverLetterWriter,
    private readonly logger: Logger,
  ) {}

  async write(input: LetterInput, context: { userId: string }): Promise<WrittenLetter> {
    try {
      return await this.primary.write(input, context);
    } catch (error) {
      this.logger.warn({ err: error }, 'cover-letter failed at the provider; using embedded');
      return this.embedded.write(input);
    }
  }
}

// ---- verification ------------------------------------------------------------------------

export interface LetterRejection {
  /** Where the sentence was in the provider's letter. */
  paragraph: number;
  sentence: number;
  text: string;
  cites: string[];
  rule: ClaimRule;
  /** The words that broke the rule. */
  offending: string[];
  reason: string;
}

export interface LetterVerification {
  /** Only verified sentences; empty paragraphs are dropped. */
  letter: CoverLetter;
  rejections: LetterRejection[];
  /** Verified sentences that cite profile items (facts about the candidate). */
  candidateSentences: number;
}

/** Verifies every sentence of `letter`; rejected ones are dropped and recorded. */
export function verifyCoverLetter(checker: ClaimChecker, letter: CoverLetter): LetterVerification {
  const rejections: LetterRejection[] = [];
  const paragraphs: { sentences: LetterSentence[] }[] = [];
  let candidateSentences = 0;
  letter.paragraphs.forEach((paragraph, p) => {
    const kept: LetterSentence[] = [];
    paragraph.sentences.forEach((sentence, s) => {
      const findings = checker.checkLetterSentence(sentence.text, sentence.cites);
      if (findings.length === 0) {
        kept.push({ text: sentence.text.trim(), cites: [...sentence.cites] });
        if (sentence.cites.some((id) => !id.startsWith(JOB_ITEM_PREFIX))) candidateSentences += 1;
        return;
      }
      for (const f of findings) {
        rejections.push({
          paragraph: p,
          sentence: s,
          text: sentence.text,
          cites: [...sentence.cites],
          rule: f.rule,
          offending: f.offending,
          reason: f.reason,
        });
      }
    });
    if (kept.length > 0) paragraphs.push({ sentences: kept });
  });
  return { letter: { paragraphs }, rejections, candidateSentences };
}

/** Whether a verified letter is still a letter: two paragraphs, one sentence about the candidate. */
export function isUsableLetter(verification: LetterVerification): boolean {
  return verification.letter.paragraphs.length >= 2 && verification.candidateSentences > 0;
}

export interface VerifiedCoverLetter {
  letter: CoverLetter;
  /** Who wrote the letter that goes out: the provider, or `embedded-fallback`. */
  source: LetterSource | 'embedded-fallback';
  /** The provider's sentences that were rejected (and the fallback's, if it had any). */
  rejections: LetterRejection[];
  /** The provider's letter was replaced by the embedded one. */
  fellBack: boolean;
}

/** Verifies a written letter; falls back to the embedded letter when too little survives. */
export function verifiedLetter(input: LetterInput, written: WrittenLetter): VerifiedCoverLetter {
  const checker = new ClaimChecker(input.profile, input.job);
  const first = verifyCoverLetter(checker, written.letter);
  if (isUsableLetter(first) || written.source === 'embedded') {
    return {
      letter: first.letter,
      source: written.source,
      rejections: first.rejections,
      fellBack: false,
    };
  }
  const fallback = verifyCoverLetter(
    checker,
    writeCoverLetter(input.profile, input.analysis, input.job),
  );
  return {
    letter: fallback.letter,
    source: 'embedded-fallback',
    rejections: [...first.rejections, ...fallback.rejections],
    fellBack: true,
  };
}

// ---- the letter as text ------------------------------------------------------------------

export interface LetterFrame {
  salutation: string;
  closing: string;
  signature: string;
}

/** Salutation and sign-off: addressed to the company of the posting, signed with the profile's name. */
export function letterFrame(company: string | undefined, name: string | undefined): LetterFrame {
  const to = company?.trim();
  return {
    salutation: to ? `Dear ${to} hiring team,` : 'Dear hiring team,',
    closing: 'Kind regards,',
    signature: name?.trim() ?? '',
  };
}

/** The whole letter as plain text: salutation, paragraphs, sign-off. */
export function letterText(letter: CoverLetter, frame: LetterFrame): string {
  const body = letter.paragraphs.map((p) => p.sentences.map((s) => s.text).join(' '));
  const sign = frame.signature ? `${frame.closing}\n${frame.signature}` : frame.closing;
  return [frame.salutation, ...body, sign].join('\n\n');
}
