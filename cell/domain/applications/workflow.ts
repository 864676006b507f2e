/**
 * The applications workflow, one step at a time: analyze (if not done) →
 * generate (one candidate per strategy) → verify (never invent) → render →
 * [await approval] → submit (exactly once). BullMQ processors call
 * `runStep`; every step is idempotent under redelivery:
 *
 * - a job whose application moved on (or whose revision is old) does no work
 *   and only makes sure the step the application is in now is queued (job ids
 *   are deterministic, so that never duplicates a job);
 * - each state change is one guarded `update … where status = <expected>` in a
 *   transaction with its events and notifications, so a step that ran twice
 *   changes state once;
 * - submit goes through `submitOnce`, which never sends twice.
 *
 * The whole workflow is bounded: `deadline_at` (created + 300 s, reset at
 * approval) is checked by each step and by the sweeper, which fails overdue
 * workflows visibly (`workflow.failed`) and re-queues steps lost to a crash.
 */
import type postgres from 'postgres';
import type {
  Citation,
  JobAnalysis,
  JsonResume,
  TailorStrategy,
} from '../../../lib/ai/contract.ts';
import { jobAnalysisSchema } from '../../../lib/ai/contract.ts';
import { tailorResumeWithRewrites } from '../../../lib/ai/embedded/index.ts';
import type { Logger } from '../../../lib/logger.ts';
import { createRng } from '../../../lib/random.ts';
import type { FormQuestionsSource } from '../../adapters/job-boards/greenhouse-questions.ts';
import type { SubmissionChannels } from '../../adapters/submission/registry.ts';
import type { JobTarget } from '../../adapters/submission/types.ts';
import type { WorkflowQueue, WorkflowStep } from '../../infra/queues.ts';
import type { AnalysisService } from '../analysis/analysis.ts';
import { DomainError } from '../errors.ts';
import { appendEvent } from '../events.ts';
import { ScreeningAnswersStore } from '../profile/screening-answers.ts';
import { lockUserStatesShared } from '../user-lifecycle/user-states.ts';
import type { ChannelCredentialsStore } from './channel-credentials.ts';
import type { CoverLetterService, StoredCoverLetter } from './cover-letters.ts';
import {
  ChannelNotConfiguredError,
  InvalidSubmissionError,
  SubmissionInProgressError,
} from './errors.ts';
import { insertNotification } from './notifications.ts';
import { type PdfRenderer, PdfUnavailableError } from './pdf-renderer.ts';
import { answersOf, type DraftedAnswer, draftAnswers, unansweredRequired } from './screening.ts';
import { chooseStrategy, STRATEGIES, type Strategy } from './strategy-bandit.ts';
import type { StrategyStatsReader } from './strategy-stats.ts';
import type { SubmissionRecord, SubmissionService } from './submission.ts';
import type { ResumeTailor } from './tailoring.ts';
import {
  type ResumeDocument,
  type RewriteRejection,
  type Violation,
  verifyTailoredVariant,
} from './verifier.ts';

export const ACTIVE_STATUSES = [
  'analyzing',
  'generating',
  'verifying',
  'rendering',
  'submitting',
] as const;
export const APPLICATION_STATUSES = [
  ...ACTIVE_STATUSES,
  'awaiting_approval',
  'submitted',
  'viewed',
  'rejected',
  'interview',
  'offer',
  'withdrawn',
  'failed',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** The status an application is in while each step runs. */
export const STEP_STATUS: Record<WorkflowStep, ApplicationStatus> = {
  analyze: 'analyzing',
  generate: 'generating',
  verify: 'verifying',
  render: 'rendering',
  submit: 'submitting',
};
const STATUS_STEP: Partial<Record<ApplicationStatus, WorkflowStep>> = Object.fromEntries(
  Object.entries(STEP_STATUS).map(([step, status]) => [status, step]),
);

/** The step to run for an application in `status`, if it is running one. */
export function stepOfStatus(status: string): WorkflowStep | undefined {
  return STATUS_STEP[status as ApplicationStatus];
}

/** Come back later without spending an attempt (PDF service full, submission lease live). */
export class StepDeferredError extends DomainError {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/** A failure that retrying cannot fix; the workflow is failed at once. */
export class StepFailedError extends DomainError {}

export interface NextStep {
  step: WorkflowStep;
  revision: number;
}

export interface ApplicationRow {
  id: string;
  user_id: string;
  job_id: string;
  mode: 'review' | 'auto';
  channel: string;
  status: ApplicationStatus;
  revision: number;
  profile_version: number;
  strategy: Strategy | null;
  variant: JsonResume | null;
  variant_source: string | null;
  approved_at: Date | null;
  deadline_at: Date | null;
  overdue: boolean;
  /** The application asked for a cover letter (written in the render step). */
  cover_letter: boolean;
}

export interface WorkflowOptions {
  /** PDF template. @defaultValue 'modern' */
  template?: string;
  /** Seed of the strategy bandit for this cell. */
  banditSeed: number;
  logger: Logger;
}

export interface WorkflowDeps {
  sql: postgres.Sql;
  analysis: AnalysisService;
  tailor: ResumeTailor;
  renderer: PdfRenderer;
  submissions: SubmissionService;
  channels: SubmissionChannels;
  channelCredentials: ChannelCredentialsStore;
  queue: WorkflowQueue;
  stats: StrategyStatsReader;
  /** Writes, verifies and renders cover letters; without it none are written. */
  coverLetters?: CoverLetterService;
  /** A job's application-form questions; without it no answers are drafted. */
  formQuestions?: FormQuestionsSource;
}

/** 32-bit FNV-1a, to derive per-application bandit seeds from the cell's seed. */
export function hashSeed(seed: number, text: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function errorOf(error: unknown): { message: string; name: string } {
  return error instanceof Error
    ? { message: error.message.slice(0, 2_000), name: error.name }
    : { message: String(error).slice(0, 2_000), name: 'Error' };
}

/** The state change a step makes, applied in one guarded transaction. */
interface Transition {
  to: ApplicationStatus;
  step: WorkflowStep;
  detail?: Record<string, unknown>;
  /** Extra columns of `applications` to set. */
  set?: Record<string, postgres.ParameterOrJSON<never> | null>;
  events?: { type: 'resume.generated' | 'resume.verified'; data: Record<string, unknown> }[];
  notify?: { type: string; message: string };
  stepErrors?: unknown[];
  run?: (tx: postgres.TransactionSql) => Promise<void>;
}

export class WorkflowService {
  private readonly sql: postgres.Sql;

  constructor(
    private readonly deps: WorkflowDeps,
    private readonly options: WorkflowOptions,
  ) {
    this.sql = deps.sql;
  }

  async load(applicationId: string): Promise<ApplicationRow | undefined> {
    const [row] = await this.sql<ApplicationRow[]>`
      select id, user_id, job_id, mode, channel, status, revision, profile_version, strategy,
             variant, variant_source, approved_at, deadline_at, cover_letter,
             coalesce(deadline_at < now(), false) as overdue
      from applications where id = ${applicationId}`;
    return row;
  }

  /**
   * Runs `step` for the application if it is at that step; returns the step to queue next.
   * Throws `StepDeferredError` (come back later), `StepFailedError` (fail now) or any error
   * (retry with backoff).
   */
  async runStep(
    step: WorkflowStep,
    applicationId: string,
    revision: number,
  ): Promise<NextStep | undefined> {
    const app = await this.load(applicationId);
    if (!app || app.revision !== revision) return undefined;
    if (app.status !== STEP_STATUS[step]) {
      // Redelivered after the step was done: make sure the current step is queued.
      const current = stepOfStatus(app.status);
      return current ? { step: current, revision: app.revision } : undefined;
    }
    if (app.overdue) {
      await this.failWorkflow(app, step, {
        reason: 'deadline_exceeded',
        message: 'The workflow did not finish within its deadline',
      });
      return undefined;
    }
    await this.beginStep(app, step);
    switch (step) {
      case 'analyze':
        return this.analyze(app);
      case 'generate':
        return this.generate(app);
      case 'verify':
        return this.verify(app);
      case 'render':
        return this.render(app);
      case 'submit':
        return this.submit(app);
    }
  }

  /** Records a failed attempt that will be retried. */
  async recordStepError(step: WorkflowStep, applicationId: string, error: unknown): Promise<void> {
    await this.sql`
      update application_steps
         set errors = errors || ${this.sql.json([{ at: new Date().toISOString(), ...errorOf(error) }])}
       where application_id = ${applicationId} and step = ${step}`;
  }

  /** The last attempt failed: the workflow fails visibly. */
  async failStep(
    step: WorkflowStep,
    applicationId: string,
    revision: number,
    error: unknown,
  ): Promise<void> {
    const app = await this.load(applicationId);
    if (!app || app.revision !== revision || app.status !== STEP_STATUS[step]) return;
    await this.failWorkflow(app, step, { reason: 'step_failed', ...errorOf(error) });
  }

  // ---- steps ------------------------------------------------------------------------------

  private async analyze(app: ApplicationRow): Promise<NextStep | undefined> {
    const outcome = await this.deps.analysis.analyzeJob(app.job_id);
    await this.loadAnalysis(app.job_id); // throws (and retries) if there is still none
    return this.advance(app, 'analyzing', {
      to: 'generating',
      step: 'analyze',
      detail: { outcome: outcome.status, source: outcome.source ?? null },
    });
  }

  private async generate(app: ApplicationRow): Promise<NextStep | undefined> {
    const [profile, analysis, stats] = await Promise.all([
      this.loadProfile(app),
      this.loadAnalysis(app.job_id),
      this.deps.stats.statsFor(app.user_id),
    ]);
    const seed = hashSeed(this.options.banditSeed, app.id);
    const choice = chooseStrategy(stats, createRng(seed));
    const candidates = await Promise.all(
      STRATEGIES.map(async (strategy) => ({
        strategy,
        ...(await this.deps.tailor.tailor(
          { profile, analysis, strategy: strategy as TailorStrategy },
          { userId: app.user_id },
        )),
      })),
    );
    return this.advance(app, 'generating', {
      to: 'verifying',
      step: 'generate',
      detail: {
        chosen: choice.strategy,
        candidates: candidates.map((c) => ({ strategy: c.strategy, source: c.source })),
      },
      set: {
        strategy: choice.strategy,
        bandit: this.sql.json({ seed, samples: choice.samples }),
      },
      events: [
        {
          type: 'resume.generated',
          data: {
            applicationId: app.id,
            strategy: choice.strategy,
            candidates: candidates.map((c) => ({ strategy: c.strategy, source: c.source })),
          },
        },
      ],
      run: async (tx) => {
        await tx`delete from application_variants where application_id = ${app.id}`;
        for (const c of candidates) {
          await tx`
            insert into application_variants
              (application_id, user_id, strategy, source, variant, citations)
            values (${app.id}, ${app.user_id}, ${c.strategy}, ${c.source},
                    ${tx.json(c.variant as postgres.JSONValue)},
                    ${tx.json(c.citations as unknown as postgres.JSONValue)})`;
        }
      },
    });
  }

  private async verify(app: ApplicationRow): Promise<NextStep | undefined> {
    const profile = await this.loadProfile(app);
    const rows = await this.sql<
      {
        strategy: Strategy;
        source: string;
        variant: JsonResume;
        citations: Citation[];
        ok: boolean | null;
      }[]
    >`
      select strategy, source, variant, citations, ok from application_variants
      where application_id = ${app.id} order by strategy, source`;
    // Rewritten texts that fail the claim-level verifier are replaced by their source text
    // (recorded as rejections); a variant fails only for violations outside its prose.
    const results = rows.map((row) => {
      const verdict = verifyTailoredVariant(
        profile as ResumeDocument,
        row.variant as ResumeDocument,
        row.citations ?? [],
      );
      if (row.ok === null && (row.source === 'optimizer' || row.source === 'embedded')) {
        // A provider whose rewrites get rejected is misbehaving too, even if its variant
        // goes out with the source texts back in place.
        this.deps.tailor.reportVerification?.(
          row.source,
          verdict.ok && verdict.rejections.length === 0,
        );
      }
      return {
        ...row,
        ok: verdict.ok,
        verified: verdict.variant as JsonResume,
        violations: verdict.violations,
        rejections: verdict.rejections,
        rewrites: verdict.rewrites.length,
      };
    });
    const strategy = app.strategy ?? 'keyword-first';
    let chosen:
      | {
          variant: JsonResume;
          source: string;
          violations: Violation[];
          rejections: RewriteRejection[];
        }
      | undefined = results
      .filter((r) => r.strategy === strategy && r.ok)
      .map((r) => ({ ...r, variant: r.verified }))[0];
    let fallback:
      | {
          variant: JsonResume;
          citations: Citation[];
          ok: boolean;
          violations: Violation[];
          rejections: RewriteRejection[];
        }
      | undefined;
    if (!chosen) {
      // The provider's variant for the chosen strategy failed: the embedded tailoring only
      // selects, reorders and rephrases with citations, so it passes unless the profile is odd.
      const analysis = await this.loadAnalysis(app.job_id);
      const tailored = tailorResumeWithRewrites(profile, analysis, strategy as TailorStrategy);
      const verdict = verifyTailoredVariant(
        profile as ResumeDocument,
        tailored.variant as ResumeDocument,
        tailored.citations,
      );
      fallback = {
        variant: tailored.variant,
        citations: tailored.citations,
        ok: verdict.ok,
        violations: verdict.violations,
        rejections: verdict.rejections,
      };
      if (verdict.ok)
        chosen = {
          variant: verdict.variant as JsonResume,
          source: 'embedded-fallback',
          violations: [],
          rejections: verdict.rejections,
        };
    }
    const rejected = results
      .filter((r) => !r.ok)
      .map((r) => ({ strategy: r.strategy, source: r.source, violations: r.violations }));
    if (!chosen) {
      await this.failWorkflow(app, 'verify', {
        reason: 'no_verified_variant',
        message: 'No variant passed verification against the profile version',
        rejected,
      });
      return undefined;
    }
    const finalVariant = chosen;
    return this.advance(app, 'verifying', {
      to: 'rendering',
      step: 'verify',
      detail: {
        strategy,
        source: finalVariant.source,
        results: results.map((r) => ({
          strategy: r.strategy,
          source: r.source,
          ok: r.ok,
          violations: r.violations,
          rewrites: r.rewrites,
          rejections: r.rejections,
        })),
      },
      stepErrors: rejected.map((r) => ({
        at: new Date().toISOString(),
        name: 'VerificationFailed',
        message: `${r.source} variant (${r.strategy}) claims what the profile does not contain`,
        strategy: r.strategy,
        source: r.source,
        violations: r.violations,
      })),
      set: {
        variant: this.sql.json(finalVariant.variant as postgres.JSONValue),
        variant_source: finalVariant.source,
      },
      events: [
        {
          type: 'resume.verified',
          data: {
            applicationId: app.id,
            strategy,
            source: finalVariant.source,
            rejected: rejected.map((r) => ({
              strategy: r.strategy,
              source: r.source,
              violations: r.violations.length,
            })),
            rewritesRejected: finalVariant.rejections.map((r) => ({
              pointer: r.pointer,
              rule: r.rule,
              offending: r.offending,
            })),
          },
        },
      ],
      run: async (tx) => {
        for (const r of results) {
          await tx`
            update application_variants
               set ok = ${r.ok}, violations = ${tx.json(r.violations as unknown as postgres.JSONValue)},
                   rejections = ${tx.json(r.rejections as unknown as postgres.JSONValue)}
             where application_id = ${app.id} and strategy = ${r.strategy} and source = ${r.source}`;
        }
        if (fallback) {
          await tx`
            insert into application_variants
              (application_id, user_id, strategy, source, variant, citations, ok, violations,
               rejections)
            values (${app.id}, ${app.user_id}, ${strategy}, 'embedded-fallback',
                    ${tx.json(fallback.variant as postgres.JSONValue)},
                    ${tx.json(fallback.citations as unknown as postgres.JSONValue)}, ${fallback.ok},
                    ${tx.json(fallback.violations as unknown as postgres.JSONValue)},
                    ${tx.json(fallback.rejections as unknown as postgres.JSONValue)})
            on conflict (application_id, strategy, source) do nothing`;
        }
      },
    });
  }

  private async render(app: ApplicationRow): Promise<NextStep | undefined> {
    if (!app.variant) throw new StepFailedError('No verified variant to render');
    const analysis = await this.loadAnalysis(app.job_id).catch(() => undefined);
    let rendered: Awaited<ReturnType<PdfRenderer['render']>>;
    let letter: StoredCoverLetter | undefined;
    try {
      // The cover letter, after tailoring: written, verified sentence by sentence, rendered.
      // A redelivered step keeps the letter it already stored.
      const letters = this.deps.coverLetters;
      const state = app.cover_letter && letters ? await letters.state(app.id) : 'rendered';
      if (state === 'none') letter = await letters?.write(app, { requirePdf: true });
      if (state === 'text') await letters?.render(app.id, app.user_id);
      rendered = await this.deps.renderer.render({
        resume: app.variant,
        template: this.options.template ?? 'modern',
        emphasize: analysis?.keywords ?? [],
      });
    } catch (error) {
      if (error instanceof PdfUnavailableError) {
        await this.recordStepError('render', app.id, error);
        throw new StepDeferredError(error.message, error.retryAfterMs);
      }
      throw error;
    }
    const drafted = await this.draftAnswers(app);
    const unanswered = drafted.answers ? unansweredRequired(drafted.answers) : [];
    // An auto application with a required question nobody can answer waits for review.
    const approved = (app.mode === 'auto' && unanswered.length === 0) || app.approved_at !== null;
    const set: Record<string, postgres.ParameterOrJSON<never> | null> = {
      ...(drafted.answers
        ? { answers: this.sql.json(drafted.answers as unknown as postgres.JSONValue) }
        : {}),
      // Waiting for a human stops the clock; approval starts a new deadline.
      ...(approved ? {} : { deadline_at: null }),
    };
    return this.advance(app, 'rendering', {
      to: approved ? 'submitting' : 'awaiting_approval',
      step: 'render',
      detail: {
        sha256: rendered.sha256,
        pages: rendered.pages,
        bytes: rendered.pdf.length,
        // Shown before approval: these characters print as a replacement mark.
        ...(rendered.missingGlyphs ? { missingGlyphs: rendered.missingGlyphs } : {}),
        ...(letter
          ? {
              coverLetter: {
                source: letter.source,
                fellBack: letter.verification.fellBack,
                rejected: letter.verification.rejections.map((r) => ({
                  rule: r.rule,
                  offending: r.offending,
                })),
              },
            }
          : {}),
        ...(drafted.answers
          ? {
              answers: {
                questions: drafted.answers.length,
                answered: drafted.answers.filter((a) => a.answer !== null).length,
                unansweredRequired: unanswered.map((a) => a.label),
              },
            }
          : {}),
        ...(drafted.error ? { answersError: drafted.error } : {}),
      },
      ...(Object.keys(set).length > 0 ? { set } : {}),
      ...(approved
        ? {}
        : {
            notify: {
              type: 'application.awaiting_approval',
              message:
                app.mode === 'auto' && unanswered.length > 0
                  ? `Your application waits for review: ${unanswered.length} required question(s) of the form have no answer`
                  : rendered.missingGlyphs
                    ? `Your tailored resume is ready for review: ${rendered.missingGlyphs.count} character(s) have no font and print as a replacement mark`
                    : 'Your tailored resume is ready for review',
            },
          }),
      run: async (tx) => {
        await tx`
          insert into application_documents
            (application_id, user_id, revision, sha256, pages, pdf, text_layer)
          values (${app.id}, ${app.user_id}, ${app.revision}, ${rendered.sha256},
                  ${rendered.pages}, ${rendered.pdf}, ${rendered.textLayer})
          on conflict (application_id) do update
            set revision = excluded.revision, sha256 = excluded.sha256, pages = excluded.pages,
                pdf = excluded.pdf, text_layer = excluded.text_layer, created_at = now()`;
      },
    });
  }

  /**
   * Drafts the answers of the job's form questions (stored screening answers
   * first, then grounded profile facts). A board that cannot be read leaves
   * the answers undrafted (recorded in the step's detail), as before questions
   * were read.
   */
  private async draftAnswers(
    app: ApplicationRow,
  ): Promise<{ answers?: DraftedAnswer[]; error?: string }> {
    if (!this.deps.formQuestions) return {};
    let questions: Awaited<ReturnType<FormQuestionsSource['questions']>>;
    try {
      questions = await this.deps.formQuestions.questions(await this.jobTarget(app));
    } catch (error) {
      this.options.logger.warn({ err: error, applicationId: app.id }, 'form questions unreadable');
      return { error: errorOf(error).message };
    }
    if (questions.length === 0) return {};
    const [profile, stored] = await Promise.all([
      this.loadProfile(app),
      new ScreeningAnswersStore(this.sql).get(app.user_id),
    ]);
    return { answers: draftAnswers(questions, stored, profile) };
  }

  private async submit(app: ApplicationRow): Promise<NextStep | undefined> {
    const [profile, target, document, letter, drafted] = await Promise.all([
      this.loadProfile(app),
      this.jobTarget(app),
      this.sql<{ pdf: Buffer }[]>`
        select pdf from application_documents where application_id = ${app.id}`,
      this.deps.coverLetters?.forSubmission(app.id),
      this.sql<{ answers: DraftedAnswer[] | null }[]>`
        select answers from applications where id = ${app.id}`,
    ]);
    const answers = answersOf(drafted[0]?.answers ?? []);
    const pdf = document[0]?.pdf;
    if (!pdf) throw new StepFailedError('No rendered PDF to submit');
    let outcome: Awaited<ReturnType<SubmissionService['submitOnce']>>;
    try {
      const credentials = await this.deps.channelCredentials.get(
        app.user_id,
        app.channel,
        target.boardToken ?? '',
      );
      const basics = (profile.basics ?? {}) as Record<string, unknown>;
      const name = typeof basics.name === 'string' ? basics.name.trim() : '';
      const [firstName, ...rest] = name.split(/\s+/);
      outcome = await this.deps.submissions.submitOnce({
        applicationId: app.id,
        userId: app.user_id,
        channel: app.channel,
        credentials,
        correlationId: app.id,
        request: {
          candidate: {
            firstName: firstName || name || 'Applicant',
            lastName: rest.join(' ') || firstName || 'Applicant',
            email: typeof basics.email === 'string' ? basics.email : '',
            ...(typeof basics.phone === 'string' ? { phone: basics.phone } : {}),
          },
          resumePdf: Buffer.from(pdf),
          resumeFileName: `${fileSafe(name || 'resume')}-resume.pdf`,
          // Only a verified letter is ever stored, so only a verified letter is sent.
          ...(letter
            ? {
                coverLetter: letter.text,
                coverLetterPdf: letter.pdf,
                coverLetterFileName: `${fileSafe(name || 'resume')}-cover-letter.pdf`,
              }
            : {}),
          ...(Object.keys(answers).length > 0 ? { answers } : {}),
          job: target,
        },
      });
    } catch (error) {
      if (error instanceof SubmissionInProgressError) {
        throw new StepDeferredError(error.message, error.retryAfterMs + 50);
      }
      if (error instanceof InvalidSubmissionError || error instanceof ChannelNotConfiguredError) {
        throw new StepFailedError(error.message);
      }
      throw error;
    }
    const { record } = outcome;
    // The submission's transaction already moved the application; this only repairs a
    // redelivery whose first run committed the submission but died before the rest.
    await this.sql.begin((tx) => applySubmissionRecord(tx, record));
    if (record.state === 'failed' && record.retryable) {
      throw new Error(`not delivered: ${record.lastError?.message ?? 'unknown reason'}`);
    }
    return undefined;
  }

  // ---- helpers ----------------------------------------------------------------------------

  private async beginStep(app: ApplicationRow, step: WorkflowStep): Promise<void> {
    await this.sql`
      insert into application_steps (application_id, user_id, step, status, attempts, started_at)
      values (${app.id}, ${app.user_id}, ${step}, 'running', 1, now())
      on conflict (application_id, step) do update
        set status = 'running', attempts = application_steps.attempts + 1,
            started_at = coalesce(application_steps.started_at, now()), finished_at = null`;
  }

  /** One guarded state change with its step record, events and notification. */
  private async advance(
    app: ApplicationRow,
    from: ApplicationStatus,
    transition: Transition,
  ): Promise<NextStep | undefined> {
    const moved = await this.sql.begin(async (tx) => {
      const [row] = await tx<{ id: string }[]>`
        update applications set status = ${transition.to}, updated_at = now()
         where id = ${app.id} and status = ${from} and revision = ${app.revision}
        returning id`;
      if (!row) return false;
      const set = transition.set ?? {};
      const columns = Object.keys(set);
      if (columns.length > 0) {
        await tx`
          update applications set ${tx(set as Record<string, never>, ...(columns as never[]))}
           where id = ${app.id}`;
      }
      await tx`
        update application_steps
           set status = 'done', finished_at = now(),
               detail = ${tx.json((transition.detail ?? {}) as postgres.JSONValue)},
               errors = errors || ${tx.json((transition.stepErrors ?? []) as postgres.JSONValue)}
         where application_id = ${app.id} and step = ${transition.step}`;
      for (const event of transition.events ?? []) {
        await appendEvent(tx, {
          type: event.type,
          userId: app.user_id,
          correlationId: app.id,
          data: event.data,
        });
      }
      if (transition.notify) {
        await insertNotification(tx, {
          userId: app.user_id,
          applicationId: app.id,
          type: transition.notify.type,
          message: transition.notify.message,
          data: { status: transition.to },
        });
      }
      await transition.run?.(tx);
      return true;
    });
    if (!moved) return undefined;
    const next = stepOfStatus(transition.to);
    return next ? { step: next, revision: app.revision } : undefined;
  }

  /** Fails the workflow visibly: status, step, `workflow.failed` and a notification together. */
  async failWorkflow(
    app: Pick<ApplicationRow, 'id' | 'user_id' | 'status' | 'revision'>,
    step: WorkflowStep,
    failure: Record<string, unknown> & { reason: string; message: string },
    /** The sweep's call: leave alone a user being migrated (the target cell takes over). */
    options: { onlyActiveUser?: boolean } = {},
  ): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      if (options.onlyActiveUser) await lockUserStatesShared(tx);
      const [row] = await tx<{ id: string }[]>`
        update applications
           set status = 'failed', failure = ${tx.json({ step, ...failure } as postgres.JSONValue)},
               deadline_at = null, updated_at = now()
         where id = ${app.id} and status = ${app.status} and revision = ${app.revision}
           ${
             options.onlyActiveUser
               ? tx`and not exists (select 1 from user_states s where s.user_id = applications.user_id)`
               : tx``
           }
        returning id`;
      if (!row) return false;
      await tx`
        insert into application_steps (application_id, user_id, step, status, attempts, errors,
                                       started_at, finished_at)
        values (${app.id}, ${app.user_id}, ${step}, 'failed', 0,
                ${tx.json([{ at: new Date().toISOString(), ...failure }] as postgres.JSONValue)},
                now(), now())
        on conflict (application_id, step) do update
          set status = 'failed', finished_at = now(),
              errors = application_steps.errors || excluded.errors`;
      await appendEvent(tx, {
        type: 'workflow.failed',
        userId: app.user_id,
        correlationId: app.id,
        data: { applicationId: app.id, step, reason: failure.reason, message: failure.message },
      });
      await insertNotification(tx, {
        userId: app.user_id,
        applicationId: app.id,
        type: 'application.failed',
        message: `Your application failed at the ${step} step: ${failure.message}`,
        data: { status: 'failed', step, reason: failure.reason },
      });
      return true;
    });
  }

  /**
   * Fails every overdue workflow and re-queues steps untouched for `stuckAfterMs`
   * (their job was lost: API died before queueing, Redis lost data…).
   */
  async sweep(stuckAfterMs: number): Promise<{ failed: number; requeued: number }> {
    const overdue = await this.sql<ApplicationRow[]>`
      select a.id, a.user_id, a.status, a.revision from applications a
      where a.status in ${this.sql(ACTIVE_STATUSES as unknown as string[])}
        and a.deadline_at < now()
        and not exists (select 1 from user_states u where u.user_id = a.user_id)
        and not exists (
          select 1 from submissions s where s.application_id = a.id
             and s.state = 'sending' and s.lease_expires_at > now())
      limit 500`;
    let failed = 0;
    for (const app of overdue) {
      const step = stepOfStatus(app.status) ?? 'analyze';
      if (
        await this.failWorkflow(
          app,
          step,
          {
            reason: 'deadline_exceeded',
            message: 'The workflow did not finish within its deadline',
          },
          { onlyActiveUser: true },
        )
      ) {
        failed += 1;
      }
    }
    const stuck = await this.sql<{ id: string; status: ApplicationStatus; revision: number }[]>`
      select id, status, revision from applications a
      where status in ${this.sql(ACTIVE_STATUSES as unknown as string[])}
        and updated_at < now() - ${stuckAfterMs} * interval '1 millisecond'
        and not exists (select 1 from user_states u where u.user_id = a.user_id)
      order by updated_at limit 500`;
    for (const app of stuck) {
      const step = stepOfStatus(app.status);
      if (step) await this.deps.queue.requeueStep(step, app.id, app.revision);
    }
    return { failed, requeued: stuck.length };
  }

  private async loadProfile(app: ApplicationRow): Promise<JsonResume> {
    const [row] = await this.sql<{ document: string }[]>`
      select document from profile_versions
      where user_id = ${app.user_id} and version = ${app.profile_version}`;
    if (!row) throw new StepFailedError(`Profile version ${app.profile_version} is gone`);
    return JSON.parse(row.document) as JsonResume;
  }

  private async loadAnalysis(jobId: string): Promise<JobAnalysis> {
    const [row] = await this.sql<{ analysis: unknown }[]>`
      select analysis from jobs where id = ${jobId}`;
    const parsed = jobAnalysisSchema.safeParse(row?.analysis);
    if (!parsed.success) throw new Error(`Job ${jobId} has no usable analysis yet`);
    return parsed.data;
  }

  private async jobTarget(app: ApplicationRow): Promise<JobTarget> {
    const [job] = await this.sql<{ title: string; company: string }[]>`
      select title, company from jobs where id = ${app.job_id}`;
    const postings = await this.sql<
      { provider: string; board: string | null; external_id: string }[]
    >`
      select provider, board, external_id from postings
      where job_id = ${app.job_id} order by (provider = ${app.channel}) desc, first_seen_at`;
    const posting = postings[0];
    return {
      title: job?.title ?? '',
      company: job?.company ?? '',
      ...(posting && posting.provider !== 'manual'
        ? {
            provider: posting.provider,
            externalId: posting.external_id,
            ...(posting.board ? { boardToken: posting.board } : {}),
          }
        : {}),
    };
  }
}

function fileSafe(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'resume'
  );
}

/**
 * Moves the application with its submission's result, in the submission's own
 * transaction: submitted → `submitted` + `workflow.completed`; refused or
 * unknown → `failed` + `workflow.failed`; both notify the user. Idempotent.
 */
export async function applySubmissionRecord(
  tx: postgres.TransactionSql,
  record: SubmissionRecord,
): Promise<void> {
  if (record.state === 'submitted') {
    // A submission that happened wins even over a deadline that failed the workflow meanwhile.
    const [row] = await tx<{ id: string }[]>`
      update applications
         set status = 'submitted', submitted_at = coalesce(submitted_at, now()),
             deadline_at = null, failure = null, updated_at = now()
       where id = ${record.applicationId} and status in ('submitting', 'failed')
      returning id`;
    if (!row) return;
    await tx`
      update application_steps
         set status = 'done', finished_at = now(),
             detail = ${tx.json({ state: record.state, externalId: record.externalId, attempts: record.attempts })}
       where application_id = ${record.applicationId} and step = 'submit'`;
    await appendEvent(tx, {
      type: 'workflow.completed',
      userId: record.userId,
      correlationId: record.applicationId,
      data: { applicationId: record.applicationId, channel: record.channel },
    });
    await insertNotification(tx, {
      userId: record.userId,
      applicationId: record.applicationId,
      type: 'application.submitted',
      message: `Your application was submitted through ${record.channel}`,
      data: { status: 'submitted', channel: record.channel },
    });
    return;
  }
  const final = record.state === 'unknown' || (record.state === 'failed' && !record.retryable);
  const error = {
    at: new Date().toISOString(),
    name: 'SubmissionFailed',
    outcome: record.lastError?.outcome ?? record.state,
    message: record.lastError?.message ?? record.state,
    attempt: record.attempts,
  };
  if (!final) {
    if (record.state === 'failed') {
      await tx`
        update application_steps set errors = errors || ${tx.json([error])}
         where application_id = ${record.applicationId} and step = 'submit'`;
    }
    return;
  }
  const reason = record.state === 'unknown' ? 'submission_unknown' : 'submission_failed';
  const [row] = await tx<{ id: string }[]>`
    update applications
       set status = 'failed', deadline_at = null, updated_at = now(),
           failure = ${tx.json({ step: 'submit', reason, ...error })}
     where id = ${record.applicationId} and status = 'submitting'
    returning id`;
  if (!row) return;
  await tx`
    update application_steps
       set status = 'failed', finished_at = now(), errors = errors || ${tx.json([error])}
     where application_id = ${record.applicationId} and step = 'submit'`;
  await appendEvent(tx, {
    type: 'workflow.failed',
    userId: record.userId,
    correlationId: record.applicationId,
    data: { applicationId: record.applicationId, step: 'submit', reason, message: error.message },
  });
  await insertNotification(tx, {
    userId: record.userId,
    applicationId: record.applicationId,
    type: record.state === 'unknown' ? 'application.submission_unknown' : 'application.failed',
    message:
      record.state === 'unknown'
        ? `We cannot tell whether ${record.channel} received your application; it will not be re-sent. Please check and confirm.`
        : `Submitting through ${record.channel} failed: ${error.message}`,
    data: { status: 'failed', step: 'submit', reason },
  });
}
