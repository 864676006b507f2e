/**
 * The three ATS application APIs, each sent as the provider documents it:
 * - Greenhouse Job Board API: `POST {base}/boards/{board_token}/jobs/{id}`, multipart/form-data,
 *   HTTP Basic auth with the employer's API key as the username and no password.
 * - Lever Postings API: `POST {base}/postings/{site}/{postingId}?key={apiKey}`, multipart/form-data
 *   (the only mode that takes a resume file); answers `{ok: true, applicationId}`.
 * - Ashby: `POST {base}/applicationForm.submit`, Basic auth with the API key, multipart/form-data with
 *   `jobPostingId`, an `applicationForm` JSON of `fieldSubmissions`, and the resume as a file part the
 *   form references by name; answers `{success, results | errors}` (a refusal can come with 200).
 * Every request carries `Idempotency-Key`; the real APIs do not document deduping on it, so
 * `remoteDedupes` is false unless the deployment knows better (e.g. a proxy that dedupes).
 */
import { FormData } from 'undici';
import { InvalidSubmissionError, SubmissionError } from '../../domain/applications/errors.ts';
import { apiKeyCredentialsSchema, parseCredentials } from './credentials.ts';
import { assertAccepted, basicAuth, joinUrl, parseJson, sendHttp } from './http-send.ts';
import type {
  ChannelName,
  SubmissionChannel,
  SubmissionReceipt,
  SubmissionRequest,
} from './types.ts';

export interface AtsChannelOptions {
  /** API base URL; tests point it at a local fake. */
  baseUrl: string;
  /** Longest wait for one submission. @defaultValue 30_000 */
  timeoutMs?: number;
  /** Set only when the remote side is known to dedupe on `Idempotency-Key`. @defaultValue false */
  remoteDedupes?: boolean;
}

export const ATS_DEFAULT_URLS = {
  greenhouse: 'https://boards-api.greenhouse.io/v1',
  lever: 'https://api.lever.co/v0',
  ashby: 'https://api.ashbyhq.com',
} as const;

function resumeBlob(request: SubmissionRequest): Blob {
  return new Blob([new Uint8Array(request.resumePdf)], { type: 'application/pdf' });
}

function requireJobField(
  channel: ChannelName,
  request: SubmissionRequest,
  field: 'externalId' | 'boardToken',
): string {
  const value = request.job[field];
  if (!value) {
    throw new InvalidSubmissionError(channel, `The job has no ${field}, which ${channel} needs`);
  }
  return value;
}

function appendAnswers(form: FormData, answers: SubmissionRequest['answers']): void {
  for (const [field, value] of Object.entries(answers ?? {})) {
    if (Array.isArray(value)) for (const item of value) form.append(`${field}[]`, item);
    else form.append(field, value);
  }
}

abstract class AtsChannel implements SubmissionChannel {
  abstract readonly name: ChannelName;
  readonly requiresCredentials = true;
  readonly remoteDedupes: boolean;
  readonly timeoutMs: number;
  protected readonly baseUrl: string;

  constructor(options: AtsChannelOptions) {
    this.baseUrl = options.baseUrl;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.remoteDedupes = options.remoteDedupes ?? false;
  }

  validateCredentials(credentials: unknown): void {
    parseCredentials(this.name, apiKeyCredentialsSchema, credentials);
  }

  protected apiKey(credentials: unknown): string {
    return parseCredentials(this.name, apiKeyCredentialsSchema, credentials).apiKey;
  }

  abstract submit(request: SubmissionRequest, credentials: unknown): Promise<SubmissionReceipt>;
}

export class GreenhouseChannel extends AtsChannel {
  readonly name = 'greenhouse';

  async submit(request: SubmissionRequest, credentials: unknown): Promise<SubmissionReceipt> {
    const apiKey = this.apiKey(credentials);
    const boardToken = requireJobField(this.name, request, 'boardToken');
    const jobId = requireJobField(this.name, request, 'externalId');
    const { candidate } = request;
    const form = new FormData();
    form.append('first_name', candidate.firstName);
    form.append('last_name', candidate.lastName);
    form.append('email', candidate.email);
    if (candidate.phone) form.append('phone', candidate.phone);
    // Greenhouse ignores `location` without latitude/longitude, which we do not have.
    form.append('resume', resumeBlob(request), request.resumeFileName);
    if (request.coverLetter) form.append('cover_letter_text', request.coverLetter);
    appendAnswers(form, request.answers);
    const attempt = await sendHttp(
      this.name,
      joinUrl(this.baseUrl, 'boards', boardToken, 'jobs', jobId),
      {
        method: 'POST',
        headers: { authorization: basicAuth(apiKey), 'idempotency-key': request.idempotencyKey },
        body: form,
      },
      this.timeoutMs,
    );
    assertAccepted(this.name, attempt);
    return { status: 'submitted', channel: this.name };
  }
}

export class LeverChannel extends AtsChannel {
  readonly name = 'lever';

  async submit(request: SubmissionRequest, credentials: unknown): Promise<SubmissionReceipt> {
    const apiKey = this.apiKey(credentials);
    const site = requireJobField(this.name, request, 'boardToken');
    const postingId = requireJobField(this.name, request, 'externalId');
    const { candidate } = request;
    const form = new FormData();
    form.append('name', `${candidate.firstName} ${candidate.lastName}`.trim());
    form.append('email', candidate.email);
    if (candidate.phone) form.append('phone', candidate.phone);
    if (request.coverLetter) form.append('comments', request.coverLetter);
    form.append('resume', resumeBlob(request), request.resumeFileName);
    appendAnswers(form, request.answers);
    const url = `${joinUrl(this.baseUrl, 'postings', site, postingId)}?key=${encodeURIComponent(apiKey)}`;
    const attempt = await sendHttp(
      this.name,
      url,
      { method: 'POST', headers: { 'idempotency-key': request.idempotencyKey }, body: form },
      this.timeoutMs,
    );
    assertAccepted(this.name, attempt);
    const body = parseJson(attempt.text) as { ok?: unknown; applicationId?: unknown } | undefined;
    if (body?.ok !== true) {
      // A 2xx without ok:true: the board answered, so something may have been created.
      throw new SubmissionError(this.name, 'unknown', 'Lever answered without ok: true');
    }
    return {
      status: 'submitted',
      channel: this.name,
      ...(typeof body.applicationId === 'string' ? { externalId: body.applicationId } : {}),
    };
  }
}

export class AshbyChannel extends AtsChannel {
  readonly name = 'ashby';

  async submit(request: SubmissionRequest, credentials: unknown): Promise<SubmissionReceipt> {
    const apiKey = this.apiKey(credentials);
    const jobPostingId = requireJobField(this.name, request, 'externalId');
    const { candidate } = request;
    const resumePart = 'resume_1';
    const fieldSubmissions: { path: string; value: unknown }[] = [
      { path: '_systemfield_name', value: `${candidate.firstName} ${candidate.lastName}`.trim() },
      { path: '_systemfield_email', value: candidate.email },
      { path: '_systemfield_resume', value: resumePart },
    ];
    if (candidate.phone)
      fieldSubmissions.push({ path: '_systemfield_phone', value: candidate.phone });
    for (const [path, value] of Object.entries(request.answers ?? {})) {
      fieldSubmissions.push({ path, value });
    }
    const form = new FormData();
    form.append('jobPostingId', jobPostingId);
    form.append('applicationForm', JSON.stringify({ fieldSubmissions }));
    form.append(resumePart, resumeBlob(request), request.resumeFileName);
    const attempt = await sendHttp(
      this.name,
      joinUrl(this.baseUrl, 'applicationForm.submit'),
      {
        method: 'POST',
        headers: { authorization: basicAuth(apiKey), 'idempotency-key': request.idempotencyKey },
        body: form,
      },
      this.timeoutMs,
    );
    assertAccepted(this.name, attempt);
    const body = parseJson(attempt.text) as
      | {
          success?: unknown;
          errors?: unknown;
          results?: { applicationId?: unknown; submittedFormInstance?: { id?: unknown } };
        }
      | undefined;
    if (body?.success === false) {
      throw new SubmissionError(
        this.name,
        'rejected',
        `Ashby refused the application: ${JSON.stringify(body.errors ?? []).slice(0, 200)}`,
        attempt.status,
      );
    }
    if (body?.success !== true) {
      throw new SubmissionError(this.name, 'unknown', 'Ashby answered without success: true');
    }
    const externalId = body.results?.applicationId ?? body.results?.submittedFormInstance?.id;
    return {
      status: 'submitted',
      channel: this.name,
      ...(typeof externalId === 'string' ? { externalId } : {}),
    };
  }
}
