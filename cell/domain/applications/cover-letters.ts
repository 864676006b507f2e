/**
 * An application's cover letter: written (by the provider, else the embedded
 * writer), verified sentence by sentence (cover-letter.ts), framed (addressed
 * to the job's company, signed with the profile's name), rendered by the PDF
 * service with the resume's template, and stored per application. The
 * workflow writes one in its render step when the application asked for it;
 * `POST /v1/applications/:id/cover-letter` (re)writes one until the
 * application is submitted. Submission attaches the stored letter.
 */
import type postgres from 'postgres';
import {
  type CoverLetter,
  type JobAnalysis,
  type JobInput,
  type JsonResume,
  jobAnalysisSchema,
} from '../../../lib/ai/contract.ts';
import { InvalidStateError, NotFoundError } from '../errors.ts';
import {
  type CoverLetterWriter,
  type LetterFrame,
  type LetterRejection,
  letterFrame,
  letterText,
  verifiedLetter,
} from './cover-letter.ts';
import type { LetterDocument, LetterRenderer } from './letter-renderer.ts';
import { PdfUnavailableError, type RenderedFile, type RenderedPdf } from './pdf-renderer.ts';

/** Statuses in which the letter may still be (re)written: it has not been sent. */
const WRITABLE = new Set([
  'analyzing',
  'generating',
  'verifying',
  'rendering',
  'awaiting_approval',
  'failed',
]);

export interface StoredCoverLetter {
  applicationId: string;
  source: string;
  profileVersion: number;
  salutation: string;
  paragraphs: CoverLetter['paragraphs'];
  closing: string;
  signature: string;
  text: string;
  verification: { ok: true; fellBack: boolean; rejections: LetterRejection[] };
  pdf: { sha256: string; pages: number | null } | null;
  updatedAt: string;
}

interface Row {
  application_id: string;
  source: string;
  profile_version: number;
  letter: CoverLetter;
  frame: LetterFrame;
  text: string;
  rejections: LetterRejection[];
  fell_back: boolean;
  sha256: string | null;
  pages: number | null;
  updated_at: Date;
}

export interface LetterTarget {
  id: string;
  user_id: string;
  job_id: string;
  profile_version: number;
}

export class CoverLetterService {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly writer: CoverLetterWriter,
    private readonly renderer: LetterRenderer,
    private readonly template: string = 'modern',
  ) {}

  /**
   * Writes, verifies, renders and stores the letter of `app`. When the PDF
   * service cannot take it now, `requirePdf` (the workflow, which must send
   * it) throws `PdfUnavailableError` and stores nothing; otherwise the letter
   * is stored without its PDF, rendered when it is first asked for. Throws a
   * plain error when the job has no analysis yet.
   */
  async write(app: LetterTarget, options: { requirePdf: boolean }): Promise<StoredCoverLetter> {
    const { profile, analysis, job } = await this.inputs(app);
    const written = await this.writer.write({ profile, analysis, job }, { userId: app.user_id });
    const verified = verifiedLetter({ profile, analysis, job }, written);
    const basics = (profile.basics ?? {}) as Record<string, unknown>;
    const name = typeof basics.name === 'string' ? basics.name : undefined;
    const frame = letterFrame(job.company, name);
    const text = letterText(verified.letter, frame);
    let rendered: RenderedPdf | undefined;
    try {
      rendered = await this.renderer.render(
        documentOf(verified.letter, frame, basics, job),
        this.template,
      );
    } catch (error) {
      if (options.requirePdf || !(error instanceof PdfUnavailableError)) throw error;
    }
    const [row] = await this.sql<Row[]>`
      insert into application_cover_letters
        (application_id, user_id, profile_version, source, letter, frame, text, rejections,
         fell_back, pdf, sha256, pages, text_layer)
      values (${app.id}, ${app.user_id}, ${app.profile_version}, ${verified.source},
              ${this.sql.json(verified.letter as unknown as postgres.JSONValue)},
              ${this.sql.json(frame as unknown as postgres.JSONValue)}, ${text},
              ${this.sql.json(verified.rejections as unknown as postgres.JSONValue)},
              ${verified.fellBack}, ${rendered?.pdf ?? null}, ${rendered?.sha256 ?? null},
              ${rendered?.pages ?? null}, ${rendered?.textLayer ?? null})
      on conflict (application_id) do update
        set profile_version = excluded.profile_version, source = excluded.source,
            letter = excluded.letter, frame = excluded.frame, text = excluded.text,
            rejections = excluded.rejections, fell_back = excluded.fell_back, pdf = excluded.pdf,
            sha256 = excluded.sha256, pages = excluded.pages, text_layer = excluded.text_layer,
            updated_at = now()
      returning application_id, source, profile_version, letter, frame, text, rejections,
                fell_back, sha256, pages, updated_at`;
    return present(row as Row);
  }

  /** Whether `app` has a letter, and whether it has its PDF (a redelivered render step keeps it). */
  async state(applicationId: string): Promise<'none' | 'text' | 'rendered'> {
    const [row] = await this.sql<{ rendered: boolean }[]>`
      select pdf is not null as rendered from application_cover_letters
      where application_id = ${applicationId}`;
    return !row ? 'none' : row.rendered ? 'rendered' : 'text';
  }

  /** `POST /v1/applications/:id/cover-letter`: asks for a letter and writes it now. */
  async rewrite(userId: string, applicationId: string): Promise<StoredCoverLetter> {
    const [app] = await this.sql<(LetterTarget & { status: string; analysed: boolean })[]>`
      select a.id, a.user_id, a.job_id, a.profile_version, a.status,
             (j.analysis is not null) as analysed
      from applications a join jobs j on j.id = a.job_id
      where a.id = ${applicationId} and a.user_id = ${userId}`;
    if (!app) throw new NotFoundError('No such application');
    if (!WRITABLE.has(app.status)) {
      throw new InvalidStateError(
        `The application is ${app.status}: its cover letter was sent or can no longer be`,
      );
    }
    if (!app.analysed) {
      throw new InvalidStateError('The job is not analyzed yet; try again in a moment');
    }
    const stored = await this.write(app, { requirePdf: false });
    await this.sql`update applications set cover_letter = true where id = ${app.id}`;
    return stored;
  }

  async get(userId: string, applicationId: string): Promise<StoredCoverLetter> {
    const [row] = await this.sql<Row[]>`
      select application_id, source, profile_version, letter, frame, text, rejections,
             fell_back, sha256, pages, updated_at
      from application_cover_letters
      where application_id = ${applicationId} and user_id = ${userId}`;
    if (!row) throw new NotFoundError('No cover letter for this application');
    return present(row);
  }

  /** The stored PDF; a letter stored while the PDF service was away is rendered now and kept. */
  async pdf(userId: string, applicationId: string): Promise<{ pdf: Buffer; sha256: string }> {
    const [row] = await this.sql<{ pdf: Buffer | null; sha256: string | null }[]>`
      select pdf, sha256 from application_cover_letters
      where application_id = ${applicationId} and user_id = ${userId}`;
    if (!row) throw new NotFoundError('No cover letter for this application');
    if (row.pdf && row.sha256) return { pdf: row.pdf, sha256: row.sha256 };
    const rendered = await this.render(applicationId, userId);
    return { pdf: rendered.pdf, sha256: rendered.sha256 };
  }

  /**
   * Renders the stored letter of an application and stores its PDF (the
   * workflow's render step, for a letter written while the PDF service was away).
   */
  async render(applicationId: string, userId: string): Promise<RenderedPdf> {
    const document = await this.documentFor(applicationId, userId);
    const rendered = await this.renderer.render(document, this.template);
    await this.sql`
      update application_cover_letters
         set pdf = ${rendered.pdf}, sha256 = ${rendered.sha256}, pages = ${rendered.pages},
             text_layer = ${rendered.textLayer}, updated_at = now()
       where application_id = ${applicationId} and user_id = ${userId}`;
    return rendered;
  }

  /** The stored letter as DOCX, rendered now with the same template. */
  async docx(userId: string, applicationId: string): Promise<RenderedFile> {
    return this.renderer.renderDocx(await this.documentFor(applicationId, userId), this.template);
  }

  private async documentFor(applicationId: string, userId: string): Promise<LetterDocument> {
    const [row] = await this.sql<
      { letter: CoverLetter; frame: LetterFrame; document: string | null; job: JobInput }[]
    >`
      select c.letter, c.frame, v.document,
             json_build_object('title', j.title, 'company', j.company,
                               'description', '-', 'location', j.location) as job
      from application_cover_letters c
      join applications a on a.id = c.application_id
      join jobs j on j.id = a.job_id
      left join profile_versions v on v.user_id = c.user_id and v.version = c.profile_version
      where c.application_id = ${applicationId} and c.user_id = ${userId}`;
    if (!row) throw new NotFoundError('No cover letter for this application');
    const profile = row.document ? (JSON.parse(row.document) as JsonResume) : {};
    const basics = (profile.basics ?? {}) as Record<string, unknown>;
    return documentOf(row.letter, row.frame, basics, row.job);
  }

  /** What a submission sends: the letter's text and PDF, if the application has one. */
  async forSubmission(applicationId: string): Promise<{ text: string; pdf: Buffer } | undefined> {
    const [row] = await this.sql<{ text: string; pdf: Buffer | null }[]>`
      select c.text, c.pdf from application_cover_letters c
      join applications a on a.id = c.application_id
      where c.application_id = ${applicationId} and a.cover_letter`;
    return row?.pdf ? { text: row.text, pdf: Buffer.from(row.pdf) } : undefined;
  }

  private async inputs(
    app: LetterTarget,
  ): Promise<{ profile: JsonResume; analysis: JobAnalysis; job: JobInput }> {
    const [[version], [job]] = await Promise.all([
      this.sql<{ document: string }[]>`
        select document from profile_versions
        where user_id = ${app.user_id} and version = ${app.profile_version}`,
      this.sql<
        {
          title: string;
          company: string;
          description: string;
          location: string | null;
          analysis: unknown;
        }[]
      >`select title, company, description, location, analysis from jobs where id = ${app.job_id}`,
    ]);
    if (!version) throw new NotFoundError(`Profile version ${app.profile_version} is gone`);
    const analysis = jobAnalysisSchema.safeParse(job?.analysis);
    if (!job || !analysis.success) throw new Error(`Job ${app.job_id} has no usable analysis yet`);
    return {
      profile: JSON.parse(version.document) as JsonResume,
      analysis: analysis.data,
      job: {
        title: job.title.trim().slice(0, 300) || analysis.data.title,
        ...(job.company.trim() ? { company: job.company.trim().slice(0, 300) } : {}),
        description: job.description.slice(0, 100_000) || job.title,
        ...(job.location ? { location: job.location.trim().slice(0, 300) } : {}),
      },
    };
  }
}

function present(row: Row): StoredCoverLetter {
  return {
    applicationId: row.application_id,
    source: row.source,
    profileVersion: row.profile_version,
    salutation: row.frame.salutation,
    paragraphs: row.letter.paragraphs,
    closing: row.frame.closing,
    signature: row.frame.signature,
    text: row.text,
    // Only verified sentences are ever stored: the rejected ones are listed here.
    verification: { ok: true, fellBack: row.fell_back, rejections: row.rejections },
    pdf: row.sha256 ? { sha256: row.sha256, pages: row.pages } : null,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The letter as the PDF service draws it: header from the profile, recipient from the job. */
function documentOf(
  letter: CoverLetter,
  frame: LetterFrame,
  basics: Record<string, unknown>,
  job: Pick<JobInput, 'title' | 'company'>,
): LetterDocument {
  const text = (value: unknown) =>
    typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 2_000) : undefined;
  const name = text(basics.name);
  const contact = [text(basics.email), text(basics.phone)].filter(
    (v): v is string => v !== undefined,
  );
  const recipient = [text(job.company), text(job.title)].filter(Boolean).join(' — ');
  const signature = text(frame.signature);
  return {
    ...(name ? { name } : {}),
    ...(contact.length > 0 ? { contact } : {}),
    ...(recipient ? { recipient } : {}),
    salutation: frame.salutation,
    paragraphs: letter.paragraphs.map((p) => p.sentences.map((s) => s.text).join(' ')),
    closing: frame.closing,
    ...(signature ? { signature } : {}),
  };
}
