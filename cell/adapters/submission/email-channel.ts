/**
 * The `email` channel: the application goes by SMTP (nodemailer) to the job's
 * apply address, the resume PDF attached. The Message-ID is derived from the
 * idempotency key, so a mail client that sees the same message twice can
 * tell; SMTP itself cannot dedupe, so `remoteDedupes` is false.
 *
 * SMTP outcomes: a refused connection or a 4xx reply means the server did not
 * take the message (not delivered); a 5xx reply is a refusal; a connection
 * lost or timed out during the exchange may have happened after the server
 * accepted the data, so it is unknown.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import {
  ChannelNotConfiguredError,
  InvalidSubmissionError,
  SubmissionError,
} from '../../domain/applications/errors.ts';
import type { SubmissionChannel, SubmissionReceipt, SubmissionRequest } from './types.ts';

export interface EmailChannelOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`; without it the channel is not configured. */
  smtpUrl?: string;
  /** The From address. @defaultValue 'applications@localhost' */
  from?: string;
  /** Longest wait for one message. @defaultValue 30_000 */
  timeoutMs?: number;
}

const NOT_CONNECTED = new Set(['ECONNECTION', 'EDNS', 'ECONNREFUSED']);

export class EmailChannel implements SubmissionChannel {
  readonly name = 'email';
  readonly requiresCredentials = false;
  readonly remoteDedupes = false;
  readonly timeoutMs: number;
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo> | undefined;
  private readonly from: string;

  constructor(options: EmailChannelOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.from = options.from ?? 'applications@localhost';
    this.transport = options.smtpUrl
      ? nodemailer.createTransport({
          url: options.smtpUrl,
          connectionTimeout: this.timeoutMs,
          greetingTimeout: this.timeoutMs,
          socketTimeout: this.timeoutMs,
        } as SMTPTransport.Options)
      : undefined;
  }

  validateCredentials(): void {
    if (!this.transport) {
      throw new ChannelNotConfiguredError(
        this.name,
        'The email channel needs SMTP_URL in this cell',
      );
    }
  }

  async submit(request: SubmissionRequest): Promise<SubmissionReceipt> {
    this.validateCredentials();
    const transport = this.transport as Transporter<SMTPTransport.SentMessageInfo>;
    const to = request.job.applyEmail;
    if (!to) throw new InvalidSubmissionError(this.name, 'The job has no apply email address');
    const { candidate, job } = request;
    const name = `${candidate.firstName} ${candidate.lastName}`.trim();
    const domain = this.from.split('@')[1] ?? 'localhost';
    try {
      const info = await transport.sendMail({
        from: this.from,
        to,
        replyTo: { name, address: candidate.email },
        subject: `Application for ${job.title}: ${name}`,
        text:
          request.coverLetter ??
          `Please find attached the application of ${name} for the ${job.title} position at ${job.company}.`,
        messageId: `<${request.idempotencyKey}@${domain}>`,
        headers: { 'Idempotency-Key': request.idempotencyKey },
        attachments: [
          {
            filename: request.resumeFileName,
            content: request.resumePdf,
            contentType: 'application/pdf',
          },
          ...(request.coverLetterPdf
            ? [
                {
                  filename: request.coverLetterFileName ?? 'cover-letter.pdf',
                  content: request.coverLetterPdf,
                  contentType: 'application/pdf',
                },
              ]
            : []),
        ],
      });
      return { status: 'submitted', channel: this.name, externalId: info.messageId };
    } catch (error) {
      throw classifySmtpError(error);
    }
  }

  close(): void {
    this.transport?.close();
  }
}

function classifySmtpError(error: unknown): SubmissionError {
  const { code, responseCode, command } = (error ?? {}) as {
    code?: string;
    responseCode?: number;
    command?: string;
  };
  const message = error instanceof Error ? error.message : String(error);
  if ((code && NOT_CONNECTED.has(code)) || command === 'CONN') {
    return new SubmissionError(
      'email',
      'not_delivered',
      `could not connect: ${message}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  if (typeof responseCode === 'number' && responseCode >= 400 && responseCode < 500) {
    return new SubmissionError('email', 'not_delivered', `deferred: ${message}`, responseCode, {
      cause: error,
    });
  }
  if (code === 'EAUTH' || (typeof responseCode === 'number' && responseCode >= 500)) {
    return new SubmissionError('email', 'rejected', `refused: ${message}`, responseCode, {
      cause: error,
    });
  }
  return new SubmissionError('email', 'unknown', `outcome unknown: ${message}`, responseCode, {
    cause: error,
  });
}
