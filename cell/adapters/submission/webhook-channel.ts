/**
 * The `webhook` channel: the user's own automation receives the application
 * as signed JSON (`x-signature: sha256=<hmac of "<timestamp>.<body>">`,
 * `x-webhook-timestamp`) with the resume as base64. Retried with exponential
 * backoff on 5xx, timeouts and refused connections; every attempt carries the
 * same `Idempotency-Key`, and receivers are required to dedupe on it, which is
 * what makes these retries safe.
 */
import { signWebhook } from '../../../lib/crypto/webhook-signature.ts';
import { SubmissionError } from '../../domain/applications/errors.ts';
import { parseCredentials, webhookCredentialsSchema } from './credentials.ts';
import { assertAccepted, parseJson, sendHttp } from './http-send.ts';
import type { SubmissionChannel, SubmissionReceipt, SubmissionRequest } from './types.ts';

export interface WebhookChannelOptions {
  /** Longest wait for one attempt. @defaultValue 10_000 */
  attemptTimeoutMs?: number;
  /** Attempts in all, the first included. @defaultValue 3 */
  maxAttempts?: number;
  /** Delay before the first retry; doubles each time. @defaultValue 500 */
  backoffMs?: number;
  /** Injectable for tests. @defaultValue setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
}

export class WebhookChannel implements SubmissionChannel {
  readonly name = 'webhook';
  readonly requiresCredentials = true;
  readonly remoteDedupes = true;
  readonly timeoutMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: WebhookChannelOptions = {}) {
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.backoffMs = options.backoffMs ?? 500;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.timeoutMs =
      this.attemptTimeoutMs * this.maxAttempts + this.backoffMs * 2 ** this.maxAttempts;
  }

  validateCredentials(credentials: unknown): void {
    parseCredentials(this.name, webhookCredentialsSchema, credentials);
  }

  async submit(request: SubmissionRequest, credentials: unknown): Promise<SubmissionReceipt> {
    const { url, secret } = parseCredentials(this.name, webhookCredentialsSchema, credentials);
    const body = JSON.stringify({
      type: 'application.submit',
      applicationId: request.applicationId,
      idempotencyKey: request.idempotencyKey,
      candidate: request.candidate,
      job: request.job,
      coverLetter: request.coverLetter ?? null,
      answers: request.answers ?? {},
      resume: {
        fileName: request.resumeFileName,
        contentType: 'application/pdf',
        base64: request.resumePdf.toString('base64'),
      },
    });
    let mayHaveArrived = false;
    let lastError: SubmissionError | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      if (attempt > 1) await this.sleep(this.backoffMs * 2 ** (attempt - 2));
      try {
        const answer = await sendHttp(
          this.name,
          url,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'idempotency-key': request.idempotencyKey,
              ...signWebhook(secret, body),
            },
            body,
          },
          this.attemptTimeoutMs,
        );
        assertAccepted(this.name, answer);
        const parsed = parseJson(answer.text) as { id?: unknown } | undefined;
        return {
          status: 'submitted',
          channel: this.name,
          ...(typeof parsed?.id === 'string' ? { externalId: parsed.id } : {}),
        };
      } catch (error) {
        if (!(error instanceof SubmissionError) || error.outcome === 'rejected') throw error;
        if (error.outcome === 'unknown') mayHaveArrived = true;
        lastError = error;
      }
    }
    throw new SubmissionError(
      this.name,
      mayHaveArrived ? 'unknown' : 'not_delivered',
      `gave up after ${this.maxAttempts} attempts: ${lastError?.message ?? 'no answer'}`,
      lastError?.status,
    );
  }
}
