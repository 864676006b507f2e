/**
 * Applications as the user sees them: apply to a job (once), read an
 * application with its steps and timeline, the kanban list, approval (with
 * an optional edit that must pass the verifier), the user's word on a
 * submission whose outcome is unknown, outcomes that feed the strategy
 * bandit, the rendered PDF (and DOCX or plain text rendered from the same
 * variant on demand), and the funnel analytics.
 */
import type postgres from 'postgres';
import { type Citation, jobAnalysisSchema } from '../../../lib/ai/contract.ts';
import { newId } from '../../../lib/ids.ts';
import type { SubmissionChannels } from '../../adapters/submission/registry.ts';
import type { WorkflowQueue, WorkflowStep } from '../../infra/queues.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../errors.ts';
import { appendEvent } from '../events.ts';
import type { ChannelCredentialsStore } from './channel-credentials.ts';
import {
  AlreadyAppliedError,
  AlreadyApprovedError,
  ProfileRequiredError,
  VariantVerificationError,
} from './errors.ts';
import { insertNotification } from './notifications.ts';
import type { DownloadFormat, PdfRenderer, RenderedFile } from './pdf-renderer.ts';
import { summarize } from './strategy-bandit.ts';
import type { StrategyStatsReader } from './strategy-stats.ts';
import type { SubmissionService } from './submission.ts';
import { carryCitations, type ResumeDocument, verifyTailoredVariant } from './verifier.ts';
import { ACTIVE_STATUSES, type ApplicationStatus, stepOfStatus } from './workflow.ts';

/** A drafted answer as stored in `applications.answers` (screening.ts). */
interface DraftedAnswerRow {
  name: string;
  answer: string | null;
  source: unknown;
}

export const APPLICATION_MODES = ['review', 'auto'] as const;
export type ApplicationMode = (typeof APPLICATION_MODES)[number];
export const OUTCOME_STATUSES = ['viewed', 'rejected', 'interview', 'offer', 'withdrawn'] as const;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];
/** Outcomes that count as an employer response for the bandit. */
const RESPONSES: readonly OutcomeStatus[] = ['viewed', 'rejected', 'interview', 'offer'];

export interface ApplicationSummary {
  id: string;
  jobId: string;
  jobTitle: string;
  company: string;
  mode: ApplicationMode;
  channel: string;
  status: ApplicationStatus;
  strategy: string | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
}

/** Shown on a stored PDF rendered before the text-layer stamp (see migration 0015). */
export const UNSTAMPED_TEXT_LAYER_NOTE =
  'This PDF was rendered before the text-layer fix: the text an applicant tracking system reads ' +
  'from it may be missing letters or words, although it looks right. It is kept as it was sent.';

export interface ApplicationsServiceOptions {
  /** @defaultValue 300_000 */
  deadlineMs?: number;
  /** The template of the stored PDF, used for DOCX and text too. @defaultValue 'modern' */
  template?: string;
}

export class ApplicationsService {
  private readonly deadlineMs: number;
  private readonly template: string;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly channels: SubmissionChannels,
    private readonly credentials: ChannelCredentialsStore,
    private readonly submissions: SubmissionService,
    private readonly queue: WorkflowQueue,
    private readonly stats: StrategyStatsReader,
    private readonly renderer: PdfRenderer,
    options: ApplicationsServiceOptions = {},
  ) {
    this.deadlineMs = options.deadlineMs ?? 300_000;
    this.template = options.template ?? 'modern';
  }

  /** Creates the application and queues its first step; one per (user, job). */
  async create(
    userId: string,
    input: { jobId: string; mode: ApplicationMode; channel: string; coverLetter?: boolean },
  ): Promise<{ applicationId: string; status: ApplicationStatus }> {
    const channel = this.channels.get(input.channel); // unknown channel: 400
    const [job] = await this.sql<{ fresh: boolean; board: string | null }[]>`
      select (j.analysis is not null and j.analysis_hash = j.content_hash) as fresh,
             (select p.board from postings p where p.job_id = j.id and p.provider = ${input.channel}
              order by p.first_seen_at limit 1) as board
      from user_jobs uj join jobs j on j.id = uj.job_id
      where uj.user_id = ${userId} and uj.job_id = ${input.jobId}`;
    if (!job) throw new NotFoundError('No such job');
    const existing = await this.existing(userId, input.jobId);
    if (existing) throw new AlreadyAppliedError(existing);
    if (channel.requiresCredentials) {
      channel.validateCredentials(
        await this.credentials.get(userId, input.channel, job.board ?? ''),
      );
    }
    const [profile] = await this.sql<{ version: number }[]>`
      select version from profile_versions where user_id = ${userId}
      order by version desc limit 1`;
    if (!profile) throw new ProfileRequiredError();

    const id = newId();
    const status: ApplicationStatus = job.fresh ? 'generating' : 'analyzing';
    const created = await this.sql.begin(async (tx) => {
      const [row] = await tx<{ id: string }[]>`
        insert into applications (id, user_id, job_id, mode, channel, status, profile_version,
                                  deadline_at, cover_letter)
        values (${id}, ${userId}, ${input.jobId}, ${input.mode}, ${input.channel}, ${status},
                ${profile.version}, ${this.deadline(tx)}, ${input.coverLetter ?? false})
        on conflict (user_id, job_id) do nothing
        returning id`;
      if (!row) return false;
      if (job.fresh) {
        await tx`
          insert into application_steps (application_id, user_id, step, status, detail,
                                         started_at, finished_at)
          values (${id}, ${userId}, 'analyze', 'skipped', ${tx.json({ reason: 'already analyzed' })},
                  now(), now())`;
      }
      return true;
    });
    if (!created) {
      const other = await this.existing(userId, input.jobId);
      throw new AlreadyAppliedError(other ?? id);
    }
    // If this enqueue is lost (crash), the sweeper queues the step again.
    await this.queue.enqueueStep(job.fresh ? 'generate' : 'analyze', id, 0);
    return { applicationId: id, status };
  }

  private async existing(userId: string, jobId: string): Promise<string | undefined> {
    const [row] = await this.sql<{ id: string }[]>`
      select id from applications where user_id = ${userId} and job_id = ${jobId}`;
    return row?.id;
  }

  async get(userId: string, id: string) {
    const [app] = await this.sql<
      {
        id: string;
        jobId: string;
        jobTitle: string;
        company: string;
        mode: ApplicationMode;
        channel: string;
        status: ApplicationStatus;
        revision: number;
        profileVersion: number;
        strategy: string | null;
        bandit: unknown;
        variant: unknown;
        variantSource: string | null;
        approvedAt: string | null;
        submittedAt: string | null;
        outcome: string | null;
        failure: unknown;
        deadlineAt: string | null;
        /** Drafted answers of the job's form questions; null when it has none. */
        answers: unknown;
        createdAt: string;
        updatedAt: string;
      }[]
    >`
      select a.id, a.job_id as "jobId", j.title as "jobTitle", j.company, a.mode, a.channel,
             a.status, a.revision, a.profile_version as "profileVersion", a.strategy, a.bandit,
             a.variant, a.variant_source as "variantSource", a.approved_at as "approvedAt",
             a.submitted_at as "submittedAt", a.outcome, a.failure, a.deadline_at as "deadlineAt",
             a.answers,
             a.created_at as "createdAt", a.updated_at as "updatedAt"
      from applications a join jobs j on j.id = a.job_id
      where a.id = ${id} and a.user_id = ${userId}`;
    if (!app) throw new NotFoundError('No such application');
    const [steps, candidates, submission, outcomes, timeline, document] = await Promise.all([
      this.sql`
        select step, status, attempts, errors, detail, started_at as "startedAt",
               finished_at as "finishedAt"
        from application_steps where application_id = ${id}
        order by array_position(array['analyze','generate','verify','render','submit'], step)`,
      this.sql`
        select strategy, source, ok, violations, citations, rejections from application_variants
        where application_id = ${id} order by strategy, source`,
      this.sql`
        select state, attempts, external_id as "externalId", last_error as "lastError",
               submitted_at as "submittedAt"
        from submissions where application_id = ${id}`,
      this.sql`
        select status, at, note from application_outcomes where application_id = ${id}
        order by at, id`,
      this.sql`
        select id, type, occurred_at as "occurredAt", data from events
        where correlation_id = ${id} and user_id = ${userId} order by id`,
      this.sql<
        {
          sha256: string;
          pages: number | null;
          revision: number;
          bytes: number;
          textLayer: number | null;
        }[]
      >`
        select sha256, pages, revision, octet_length(pdf) as bytes, text_layer as "textLayer"
        from application_documents where application_id = ${id}`,
    ]);
    const { variant, variantSource, ...rest } = app;
    const pdf = document[0];
    return {
      ...rest,
      variant: variant ? { strategy: app.strategy, source: variantSource, resume: variant } : null,
      steps,
      candidates,
      submission: submission[0] ?? null,
      outcomes,
      timeline,
      pdf: pdf
        ? {
            ...pdf,
            url: `/v1/applications/${id}/resume.pdf`,
            ...(pdf.textLayer === null ? { textLayerNote: UNSTAMPED_TEXT_LAYER_NOTE } : {}),
          }
        : null,
    };
  }

  /**
   * Re-renders every document that was rendered before the PDF service stamped
   * its text layer, while its application still awaits approval: the
   * application goes back to `rendering` under a new revision, so the render
   * step runs again and approval waits for the new PDF. Idempotent (a
   * re-rendered document is stamped and never selected again; an application
   * that moved on meanwhile is skipped) and safe to run from every worker.
   * Documents of submitted applications keep their bytes: they are what was sent.
   */
  async rerenderUnstampedDocuments(): Promise<{ requeued: number }> {
    const stale = await this.sql<{ id: string; userId: string }[]>`
      select a.id, a.user_id as "userId" from application_documents d
      join applications a on a.id = d.application_id
      where d.text_layer is null and a.status = 'awaiting_approval' and a.approved_at is null`;
    let requeued = 0;
    for (const { id, userId } of stale) {
      const revision = await this.sql.begin(async (tx) => {
        const [row] = await tx<{ revision: number }[]>`
          update applications
             set status = 'rendering', revision = revision + 1, deadline_at = ${this.deadline(tx)},
                 updated_at = now()
           where id = ${id} and status = 'awaiting_approval' and approved_at is null
           returning revision`;
        if (!row) return undefined;
        await reopenStep(tx, id, 'render');
        await appendEvent(tx, {
          type: 'resume.rerendered',
          userId,
          correlationId: id,
          data: { applicationId: id, reason: 'text_layer', revision: row.revision },
        });
        return row.revision;
      });
      if (revision === undefined) continue;
      // If this enqueue is lost, the sweeper queues the render step again.
      await this.queue.enqueueStep('render', id, revision);
      requeued += 1;
    }
    return { requeued };
  }

  /** The kanban: newest first, one status or all, with counts per status. */
  async list(
    userId: string,
    query: { status?: ApplicationStatus; limit: number; beforeId?: string },
  ): Promise<{
    applications: ApplicationSummary[];
    hasMore: boolean;
    counts: Record<string, number>;
  }> {
    const rows = await this.sql<ApplicationSummary[]>`
      select a.id, a.job_id as "jobId", j.title as "jobTitle", j.company, a.mode, a.channel,
             a.status, a.strategy, a.created_at as "createdAt", a.updated_at as "updatedAt",
             a.submitted_at as "submittedAt"
      from applications a join jobs j on j.id = a.job_id
      where a.user_id = ${userId}
        ${query.status ? this.sql`and a.status = ${query.status}` : this.sql``}
        ${query.beforeId ? this.sql`and a.id < ${query.beforeId}` : this.sql``}
      order by a.id desc limit ${query.limit + 1}`;
    const counts = await this.sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from applications where user_id = ${userId}
      group by status`;
    return {
      applications: rows.slice(0, query.limit),
      hasMore: rows.length > query.limit,
      counts: Object.fromEntries(counts.map((c) => [c.status, c.n])),
    };
  }

  /**
   * Approves a review-mode application. Without an edit it is submitted as soon as it is
   * rendered; with an edited variant (which must pass the verifier) it is rendered again first.
   */
  async approve(
    userId: string,
    id: string,
    edit?: { variant?: Record<string, unknown>; answers?: Record<string, string> },
  ): Promise<{ applicationId: string; status: ApplicationStatus }> {
    const answers = edit?.answers;
    const result = await this.sql.begin(async (tx) => {
      const [app] = await tx<
        {
          status: ApplicationStatus;
          mode: ApplicationMode;
          approved_at: Date | null;
          revision: number;
          profile_version: number;
          answers: DraftedAnswerRow[] | null;
        }[]
      >`
        select status, mode, approved_at, revision, profile_version, answers from applications
        where id = ${id} and user_id = ${userId} for update`;
      if (!app) throw new NotFoundError('No such application');
      if (app.approved_at) throw new AlreadyApprovedError(id);
      const waiting = app.status === 'awaiting_approval';
      // An auto application waits only when its form has questions nobody could answer.
      if (app.mode === 'auto' && !waiting) {
        throw new InvalidStateError('An auto-mode application needs no approval');
      }
      const inProgress = (ACTIVE_STATUSES as readonly string[]).includes(app.status);
      if (!waiting && !(inProgress && !edit)) {
        throw new InvalidStateError(
          edit
            ? `An edit can only be approved while the application awaits approval (it is ${app.status})`
            : `This application cannot be approved (it is ${app.status})`,
        );
      }
      if (answers) {
        // The user's answers to the form's questions, by field name; they replace the drafts.
        const drafted = app.answers ?? [];
        const unknown = Object.keys(answers).filter(
          (name) => !drafted.some((d) => d.name === name),
        );
        if (unknown.length > 0) {
          throw new ValidationError(
            'Answers to questions the form does not ask',
            unknown.map((name) => ({
              pointer: `/answers/${name}`,
              message: 'is not a question of this job’s form',
            })),
          );
        }
        const merged = drafted.map((d) =>
          answers[d.name] === undefined
            ? d
            : { ...d, answer: answers[d.name], source: { kind: 'user' } },
        );
        await tx`update applications set answers = ${tx.json(merged as unknown as postgres.JSONValue)}
                 where id = ${id}`;
      }
      if (edit?.variant) {
        const [profile] = await tx<{ document: string }[]>`
          select document from profile_versions
          where user_id = ${userId} and version = ${app.profile_version}`;
        // The variant shown may hold verified rewrites: an edit keeps them with their
        // citations; anything else it words differently must be verbatim profile text.
        const source = JSON.parse(profile?.document ?? '{}') as ResumeDocument;
        const [shown] = await tx<{ variant: ResumeDocument; citations: Citation[] }[]>`
          select v.variant, v.citations from application_variants v
            join applications a on a.id = v.application_id
           where v.application_id = ${id} and v.strategy = a.strategy
             and v.source = a.variant_source`;
        const accepted = shown
          ? verifyTailoredVariant(source, shown.variant, shown.citations ?? []).rewrites
          : [];
        const verdict = verifyTailoredVariant(
          source,
          edit.variant,
          carryCitations(accepted, edit.variant),
        );

        if (!verdict.ok || verdict.rejections.length > 0) {
          throw new VariantVerificationError([
            ...verdict.violations,
            ...verdict.rejections.map((r) => ({
              pointer: r.pointer,
              kind: 'sentence',
              value: r.text,
              rule: r.rule,
              offending: r.offending,
              reason: r.reason,
            })),
          ]);
        }
      }
      const deadline = this.deadline(tx);
      if (!waiting) {
        // Approved ahead of time: the render step goes straight on to submit.
        await tx`update applications set approved_at = now(), updated_at = now() where id = ${id}`;
        return { status: app.status, next: undefined };
      }
      const variant = edit?.variant;
      const revision = variant ? app.revision + 1 : app.revision;
      const status: ApplicationStatus = variant ? 'rendering' : 'submitting';
      await tx`
        update applications
           set approved_at = now(), status = ${status}, revision = ${revision},
               deadline_at = ${deadline}, updated_at = now()
               ${variant ? tx`, variant = ${tx.json(variant as postgres.JSONValue)}, variant_source = 'edited'` : tx``}
         where id = ${id}`;
      if (variant) {
        await reopenStep(tx, id, 'render');
        await appendEvent(tx, {
          type: 'resume.verified',
          userId,
          correlationId: id,
          data: { applicationId: id, source: 'edited', approvedEdit: true },
        });
      }
      return { status, next: { step: stepOfStatus(status), revision } };
    });
    if (result.next?.step) await this.queue.enqueueStep(result.next.step, id, result.next.revision);
    return { applicationId: id, status: result.status };
  }

  /**
   * The user's word on a submission whose outcome is unknown (the channel
   * failed in a way that leaves open whether the employer got it, so it was
   * not re-sent). Delivered: the application is `submitted`, as if the
   * channel had said so. Not delivered: it goes back to `submitting` and the
   * submit step sends it again, with the same idempotency key.
   */
  async resolveSubmission(
    userId: string,
    id: string,
    delivered: boolean,
  ): Promise<{ applicationId: string; status: ApplicationStatus }> {
    const result = await this.sql.begin(async (tx) => {
      const [app] = await tx<{ status: ApplicationStatus; revision: number; channel: string }[]>`
        select status, revision, channel from applications
        where id = ${id} and user_id = ${userId} for update`;
      if (!app) throw new NotFoundError('No such application');
      const [submission] = await tx<{ state: string }[]>`
        select state from submissions where application_id = ${id} for update`;
      if (submission?.state !== 'unknown') {
        throw new InvalidStateError(
          `Only a submission whose outcome is unknown can be confirmed (this one is ${submission?.state ?? 'not started'})`,
        );
      }
      // Delivered: the submission's own hook moves the application to `submitted`.
      await this.submissions.resolveUnknown(id, userId, delivered, tx);
      if (delivered) return { status: 'submitted' as const, revision: app.revision, resend: false };
      await tx`
        update applications
           set status = 'submitting', failure = null, updated_at = now(),
               deadline_at = ${this.deadline(tx)}
         where id = ${id}`;
      await reopenStep(tx, id, 'submit');
      await appendEvent(tx, {
        type: 'application.resubmitting',
        userId,
        correlationId: id,
        data: { applicationId: id, channel: app.channel, reason: 'not_delivered_per_user' },
      });
      await insertNotification(tx, {
        userId,
        applicationId: id,
        type: 'application.status_changed',
        message: `Sending your application again through ${app.channel}`,
        data: { status: 'submitting', from: app.status },
      });
      return { status: 'submitting' as const, revision: app.revision, resend: true };
    });
    // Committed first: if this enqueue is lost, the sweeper re-queues the stuck step.
    if (result.resend) await this.queue.requeueStep('submit', id, result.revision);
    return { applicationId: id, status: result.status };
  }

  /** The workflow deadline of a step run that starts now, as SQL. */
  private deadline(tx: postgres.TransactionSql) {
    return tx`now() + ${this.deadlineMs} * interval '1 millisecond'`;
  }

  /** Records an employer's response (or a withdrawal); feeds the bandit. */
  async recordOutcome(
    userId: string,
    id: string,
    input: { status: OutcomeStatus; at?: string; note?: string },
  ): Promise<{ applicationId: string; status: ApplicationStatus }> {
    return this.sql.begin(async (tx) => {
      const [app] = await tx<{ submitted_at: Date | null; status: ApplicationStatus }[]>`
        select submitted_at, status from applications
        where id = ${id} and user_id = ${userId} for update`;
      if (!app) throw new NotFoundError('No such application');
      if (!app.submitted_at) {
        throw new InvalidStateError(
          `An outcome needs a submitted application (this one is ${app.status})`,
        );
      }
      const at = input.at ? new Date(input.at) : new Date();
      const responded = RESPONSES.includes(input.status);
      await tx`
        insert into application_outcomes (id, application_id, user_id, status, at, note)
        values (${newId()}, ${id}, ${userId}, ${input.status}, ${at}, ${input.note ?? null})`;
      await tx`
        update applications
           set status = ${input.status}, outcome = ${input.status},
               responded = responded or ${responded}, updated_at = now()
         where id = ${id}`;
      await appendEvent(tx, {
        type: 'response.received',
        userId,
        correlationId: id,
        data: {
          applicationId: id,
          status: input.status,
          at: at.toISOString(),
          ...(input.note ? { note: input.note } : {}),
        },
      });
      await insertNotification(tx, {
        userId,
        applicationId: id,
        type: 'application.status_changed',
        message: `Application status: ${input.status}`,
        data: { status: input.status, from: app.status },
      });
      return { applicationId: id, status: input.status };
    });
  }

  async pdf(userId: string, id: string): Promise<{ pdf: Buffer; sha256: string }> {
    const [row] = await this.sql<{ pdf: Buffer; sha256: string }[]>`
      select d.pdf, d.sha256 from application_documents d
      where d.application_id = ${id} and d.user_id = ${userId}`;
    if (!row) throw new NotFoundError('No rendered resume for this application');
    return row;
  }

  /**
   * The application's current variant as DOCX or plain text, rendered now by
   * the PDF service with the template and emphasis of its stored PDF.
   */
  async renderedAs(userId: string, id: string, format: DownloadFormat): Promise<RenderedFile> {
    const [row] = await this.sql<{ variant: unknown; analysis: unknown }[]>`
      select a.variant, j.analysis from applications a join jobs j on j.id = a.job_id
      where a.id = ${id} and a.user_id = ${userId}`;
    if (!row) throw new NotFoundError('No such application');
    if (!row.variant) throw new NotFoundError('No tailored resume for this application yet');
    const analysis = jobAnalysisSchema.safeParse(row.analysis);
    return this.renderer.renderAs(
      {
        resume: row.variant,
        template: this.template,
        emphasize: analysis.success ? analysis.data.keywords : [],
      },
      format,
    );
  }

  /** The funnel and each strategy's response rate with its 95 % credible interval. */
  async analytics(userId: string) {
    const [[funnel], stats] = await Promise.all([
      this.sql<
        {
          discovered: number;
          applied: number;
          responded: number;
          interview: number;
          offer: number;
        }[]
      >`
        select
          (select count(*)::int from user_jobs where user_id = ${userId}) as discovered,
          (select count(*)::int from applications
            where user_id = ${userId} and submitted_at is not null) as applied,
          (select count(*)::int from applications
            where user_id = ${userId} and responded) as responded,
          (select count(distinct application_id)::int from application_outcomes
            where user_id = ${userId} and status in ('interview', 'offer')) as interview,
          (select count(distinct application_id)::int from application_outcomes
            where user_id = ${userId} and status = 'offer') as offer`,
      this.stats.statsFor(userId),
    ]);
    return { funnel, strategies: summarize(stats) };
  }
}

/** Marks a step that ran before as running again (its attempts and errors are kept). */
async function reopenStep(
  tx: postgres.TransactionSql,
  applicationId: string,
  step: WorkflowStep,
): Promise<void> {
  await tx`
    update application_steps set status = 'running', finished_at = null
    where application_id = ${applicationId} and step = ${step}`;
}
