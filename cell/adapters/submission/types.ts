/**
 * The one contract every submission channel implements. A channel sends one
 * application and either resolves with a receipt or throws a
 * `SubmissionError` saying whether the application was definitely not
 * delivered, refused, or may have arrived (unknown outcome).
 */

export const CHANNEL_NAMES = [
  'greenhouse',
  'lever',
  'ashby',
  'email',
  'webhook',
  'manual',
] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export interface Candidate {
  firstName: string;
  lastName: string;
  email: string;
  phone?: string;
  location?: string;
}

export interface JobTarget {
  /** The job board provider the job was discovered on. */
  provider?: string;
  /** The job's id on its board (Greenhouse job id, Lever posting id, Ashby job posting id). */
  externalId?: string;
  /** Greenhouse board token, Lever site name. */
  boardToken?: string;
  title: string;
  company: string;
  /** Where the `email` channel sends the application. */
  applyEmail?: string;
}

export interface SubmissionRequest {
  applicationId: string;
  /** Sent with every attempt of this application, so a receiver can dedupe. */
  idempotencyKey: string;
  candidate: Candidate;
  resumePdf: Buffer;
  resumeFileName: string;
  /** The cover letter as text (ATS cover-letter fields, the email's body). */
  coverLetter?: string;
  /** The same letter rendered as PDF (attached by the email channel). */
  coverLetterPdf?: Buffer;
  coverLetterFileName?: string;
  job: JobTarget;
  /** Answers to the job's custom questions, keyed by the board's field name. */
  answers?: Record<string, string | string[]>;
}

export interface SubmissionReceipt {
  status: 'submitted';
  channel: ChannelName;
  /** The id the remote side gave the application, when it gives one. */
  externalId?: string;
}

export interface SubmissionChannel {
  readonly name: ChannelName;
  /** Whether the channel needs per-user credentials (stored sealed). */
  readonly requiresCredentials: boolean;
  /**
   * Whether the remote side dedupes on the idempotency key, so that sending
   * again after an unknown outcome cannot create a second application.
   */
  readonly remoteDedupes: boolean;
  /** Longest one submission may take; the submission lease must outlast it. */
  readonly timeoutMs: number;
  /** Parses credentials; throws `ChannelNotConfiguredError` when missing or invalid. */
  validateCredentials(credentials: unknown): void;
  submit(request: SubmissionRequest, credentials: unknown): Promise<SubmissionReceipt>;
}
