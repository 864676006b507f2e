/**
 * Submit exactly once. Every application that is sent has a `submissions`
 * row and an idempotency key. `submitOnce` claims the row in a transaction
 * (pending → sending, with a lease and an attempt number) BEFORE sending, and
 * records the result after, fenced on that attempt number. So a redelivered
 * BullMQ job, or a worker restarted after SIGKILL, finds the row and:
 * - `submitted`, `unknown`, refused `failed`: returns it, sends nothing;
 * - `sending` under a live lease: another attempt is running → SubmissionInProgressError;
 * - `sending` with an expired lease (the attempt died mid-send): re-sends with the SAME key only
 *   to a channel whose remote side dedupes on it; otherwise marks `unknown` and notifies the user;
 * - `failed` but definitely not delivered (refused connection, 429): may be claimed again, up to
 *   `maxAttempts`.
 * An unknown outcome is never retried blindly: it is marked and the user is notified.
 */
import type postgres from 'postgres';
import { newId } from '../../../lib/ids.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { SubmissionChannels } from '../../adapters/submission/registry.ts';
import type { SubmissionChannel, SubmissionRequest } from '../../adapters/submission/types.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { appendEvent } from '../events.ts';
import {
  ChannelNotConfiguredError,
  InvalidSubmissionError,
  SubmissionError,
  SubmissionInProgressError,
} from './errors.ts';

export type SubmissionState = 'pending' | 'sending' | 'submitted' | 'failed' | 'unknown';

export interface SubmissionRecord {
  applicationId: string;
  userId: string;
  channel: string;
  idempotencyKey: string;
  state: SubmissionState;
  attempts: number;
  retryable: boolean;
  externalId: string | null;
  lastError: { outcome: string; message: string; status?: number } | null;
  submittedAt: Date | null;
}

export interface SubmissionOutcome {
  record: SubmissionRecord;
  /** Whether this call sent a request. */
  sent: boolean;
}

/** What the user must be told about: an unknown outcome or a final failure. */
export interface SubmissionNotice {
  userId: string;
  applicationId: string;
  channel: string;
  state: 'failed' | 'unknown';
  reason: string;
}

/** Called in the transaction that marks the submission, so the notice is never lost. */
export type SubmissionNotifier = (
  tx: postgres.TransactionSql,
  notice: SubmissionNotice,
) => Promise<void>;

export interface SubmissionServiceOptions {
  /** Added to the channel's own timeout to make the lease of an attempt. @defaultValue 10_000 */
  leaseMarginMs?: number;
  /** Attempts after which a not-delivered failure stops being retried. @defaultValue 3 */
  maxAttempts?: number;
  notifier?: SubmissionNotifier;
  /**
   * Called in the transaction that records a result (submitted, failed, unknown), so the
   * application's own state changes with it.
   */
  onRecorded?: (tx: postgres.TransactionSql, record: SubmissionRecord) => Promise<void>;
  logger?: Logger;
}

export interface SubmitOnceInput {
  applicationId: string;
  userId: string;
  channel: string;
  /** Decrypted channel credentials, or undefined for channels that need none. */
  credentials: unknown;
  /** The application to send; the service adds its id and idempotency key. */
  request: Omit<SubmissionRequest, 'applicationId' | 'idempotencyKey'>;
  correlationId?: string;
}

const COLUMNS =
  'application_id, user_id, channel, idempotency_key, state, attempts, retryable, external_id, last_error, submitted_at';

interface Row {
  application_id: string;
  user_id: string;
  channel: string;
  idempotency_key: string;
  state: SubmissionState;
  attempts: number;
  retryable: boolean;
  external_id: string | null;
  last_error: SubmissionRecord['lastError'];
  submitted_at: Date | null;
}

function toRecord(row: Row): SubmissionRecord {
  return {
    applicationId: row.application_id,
    userId: row.user_id,
    channel: row.channel,
    idempotencyKey: row.idempotency_key,
    state: row.state,
    attempts: row.attempts,
    retryable: row.retryable,
    externalId: row.external_id,
    lastError: row.last_error,
    submittedAt: row.submitted_at,
  };
}

type Claim =
  | { kind: 'done'; record: SubmissionRecord }
  | { kind: 'claimed'; record: SubmissionRecord; channel: SubmissionChannel };

export class SubmissionService {
  private readonly leaseMarginMs: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly channels: SubmissionChannels,
    private readonly options: SubmissionServiceOptions = {},
  ) {
    this.leaseMarginMs = options.leaseMarginMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  /** Creates the pending submission of an application, once; returns it. */
  async prepare(input: {
    applicationId: string;
    userId: string;
    channel: string;
  }): Promise<SubmissionRecord> {
    this.channels.get(input.channel); // an unknown channel is refused before any row exists
    await this.sql`
      insert into submissions (application_id, user_id, channel, idempotency_key)
      values (${input.applicationId}, ${input.userId}, ${input.channel}, ${newId()})
      on conflict (application_id) do nothing`;
    const record = await this.find(input.applicationId);
    if (!record || record.userId !== input.userId || record.channel !== input.channel) {
      throw new ConflictError('This application is already being submitted differently', {
        applicationId: input.applicationId,
      });
    }
    return record;
  }

  async find(applicationId: string): Promise<SubmissionRecord | undefined> {
    const [row] = await this.sql<Row[]>`
      select ${this.sql.unsafe(COLUMNS)} from submissions where application_id = ${applicationId}`;
    return row ? toRecord(row) : undefined;
  }

  /** Sends the application at most once; see the module comment for every case. */
  async submitOnce(input: SubmitOnceInput): Promise<SubmissionOutcome> {
    const channel = this.channels.get(input.channel);
    channel.validateCredentials(input.credentials);
    await this.prepare(input);
    const claim = await this.claim(input.applicationId, channel);
    if (claim.kind === 'done') return { record: claim.record, sent: false };

    const { record } = claim;
    let receiptOrError: { externalId?: string } | unknown;
    let succeeded = false;
    try {
      receiptOrError = await channel.submit(
        {
          ...input.request,
          applicationId: record.applicationId,
          idempotencyKey: record.idempotencyKey,
        },
        input.credentials,
      );
      succeeded = true;
    } catch (error) {
      receiptOrError = error;
    }
    if (succeeded) {
      const { externalId } = receiptOrError as { externalId?: string };
      return {
        record: await this.recordSubmitted(record, externalId, input.correlationId),
        sent: true,
      };
    }
    const error = receiptOrError;
    if (error instanceof InvalidSubmissionError || error instanceof ChannelNotConfiguredError) {
      // Raised before any byte left: nothing was sent; put the row back and let the caller map it.
      await this.release(record, error);
      throw error;
    }
    const failure =
      error instanceof SubmissionError
        ? error
        : new SubmissionError(
            channel.name,
            'unknown',
            `unexpected error while sending: ${String(error)}`,
          );
    if (!(error instanceof SubmissionError)) {
      this.options.logger?.error(
        { err: error, applicationId: record.applicationId },
        'submission crashed',
      );
    }
    return { record: await this.recordFailure(record, failure), sent: true };
  }

  /**
   * The user's answer about an `unknown` submission: it did arrive (→ submitted), or it did not
   * (→ pending again, same idempotency key, so the next `submitOnce` sends it). Runs in `tx`
   * when given, so the caller can move the application in the same transaction.
   */
  async resolveUnknown(
    applicationId: string,
    userId: string,
    delivered: boolean,
    tx?: postgres.TransactionSql,
  ): Promise<SubmissionRecord> {
    if (!tx)
      return this.sql.begin((own) => this.resolveUnknown(applicationId, userId, delivered, own));
    const [row] = await tx<Row[]>`
      update submissions
         set state = ${delivered ? 'submitted' : 'pending'},
             submitted_at = ${delivered ? tx`now()` : null},
             lease_expires_at = null, updated_at = now()
       where application_id = ${applicationId} and user_id = ${userId} and state = 'unknown'
      returning ${tx.unsafe(COLUMNS)}`;
    if (!row) throw new NotFoundError('No submission with an unknown outcome for this application');
    if (delivered) {
      await appendEvent(tx, {
        type: 'application.submitted',
        userId,
        correlationId: applicationId,
        data: { applicationId, channel: row.channel, confirmedByUser: true },
      });
    }
    const resolved = toRecord(row);
    await this.options.onRecorded?.(tx, resolved);
    return resolved;
  }

  private claim(applicationId: string, channel: SubmissionChannel): Promise<Claim> {
    return this.sql.begin(async (tx): Promise<Claim> => {
      const [row] = await tx<(Row & { lease_expired: boolean; lease_left_ms: number | null })[]>`
        select ${tx.unsafe(COLUMNS)},
               coalesce(lease_expires_at <= now(), true) as lease_expired,
               (extract(epoch from (lease_expires_at - now())) * 1000)::float8 as lease_left_ms
          from submissions where application_id = ${applicationId} for update`;
      if (!row) throw new NotFoundError(`No submission for application ${applicationId}`);
      const record = toRecord(row);
      switch (row.state) {
        case 'submitted':
        case 'unknown':
          return { kind: 'done', record };
        case 'failed':
          if (!row.retryable || row.attempts >= this.maxAttempts) return { kind: 'done', record };
          break;
        case 'sending':
          if (!row.lease_expired) {
            throw new SubmissionInProgressError(
              applicationId,
              Math.max(0, Math.ceil(row.lease_left_ms ?? 0)),
            );
          }
          if (!channel.remoteDedupes) {
            // The attempt died mid-send and the remote side cannot dedupe: it may or may not
            // have arrived. Never guess: mark it and ask the user.
            return { kind: 'done', record: await this.markUnknownInTx(tx, record) };
          }
          break;
        case 'pending':
          break;
      }
      const leaseMs = channel.timeoutMs + this.leaseMarginMs;
      const [claimed] = await tx<Row[]>`
        update submissions
           set state = 'sending', attempts = attempts + 1, retryable = false,
               lease_expires_at = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
         where application_id = ${applicationId}
        returning ${tx.unsafe(COLUMNS)}`;
      return { kind: 'claimed', record: toRecord(claimed as Row), channel };
    });
  }

  private async markUnknownInTx(
    tx: postgres.TransactionSql,
    record: SubmissionRecord,
  ): Promise<SubmissionRecord> {
    const reason = 'The attempt to send it stopped mid-way; it may or may not have arrived';
    const [row] = await tx<Row[]>`
      update submissions
         set state = 'unknown', lease_expires_at = null, updated_at = now(),
             last_error = ${tx.json({ outcome: 'unknown', message: reason })}
       where application_id = ${record.applicationId}
      returning ${tx.unsafe(COLUMNS)}`;
    await this.options.notifier?.(tx, {
      userId: record.userId,
      applicationId: record.applicationId,
      channel: record.channel,
      state: 'unknown',
      reason,
    });
    const marked = toRecord(row as Row);
    await this.options.onRecorded?.(tx, marked);
    return marked;
  }

  private recordSubmitted(
    claimed: SubmissionRecord,
    externalId: string | undefined,
    correlationId: string | undefined,
  ): Promise<SubmissionRecord> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx<Row[]>`
        update submissions
           set state = 'submitted', external_id = ${externalId ?? null}, submitted_at = now(),
               lease_expires_at = null, last_error = null, updated_at = now()
         where application_id = ${claimed.applicationId}
           and state = 'sending' and attempts = ${claimed.attempts}
        returning ${tx.unsafe(COLUMNS)}`;
      if (!row) return this.fencedOut(tx, claimed);
      await appendEvent(tx, {
        type: 'application.submitted',
        userId: claimed.userId,
        correlationId: correlationId ?? null,
        data: {
          applicationId: claimed.applicationId,
          channel: claimed.channel,
          externalId: externalId ?? null,
          attempts: claimed.attempts,
        },
      });
      const recorded = toRecord(row);
      await this.options.onRecorded?.(tx, recorded);
      return recorded;
    });
  }

  private recordFailure(
    claimed: SubmissionRecord,
    failure: SubmissionError,
  ): Promise<SubmissionRecord> {
    const retryable = failure.outcome === 'not_delivered' && claimed.attempts < this.maxAttempts;
    const state: SubmissionState = failure.outcome === 'unknown' ? 'unknown' : 'failed';
    const lastError = {
      outcome: failure.outcome,
      message: failure.message,
      ...(failure.status === undefined ? {} : { status: failure.status }),
    };
    return this.sql.begin(async (tx) => {
      const [row] = await tx<Row[]>`
        update submissions
           set state = ${state}, retryable = ${retryable}, lease_expires_at = null,
               last_error = ${tx.json(lastError)}, updated_at = now()
         where application_id = ${claimed.applicationId}
           and state = 'sending' and attempts = ${claimed.attempts}
        returning ${tx.unsafe(COLUMNS)}`;
      if (!row) return this.fencedOut(tx, claimed);
      if (!retryable) {
        await this.options.notifier?.(tx, {
          userId: claimed.userId,
          applicationId: claimed.applicationId,
          channel: claimed.channel,
          state: state as 'failed' | 'unknown',
          reason: failure.message,
        });
      }
      const recorded = toRecord(row);
      await this.options.onRecorded?.(tx, recorded);
      return recorded;
    });
  }

  /** Puts a claimed row back to pending when nothing was sent (bad input or configuration). */
  private async release(claimed: SubmissionRecord, error: Error): Promise<void> {
    await this.sql`
      update submissions
         set state = 'pending', attempts = attempts - 1, lease_expires_at = null,
             last_error = ${this.sql.json({ outcome: 'not_sent', message: error.message })},
             updated_at = now()
       where application_id = ${claimed.applicationId}
         and state = 'sending' and attempts = ${claimed.attempts}`;
  }

  /** Another attempt took the row over (our lease ran out); keep its result, log ours. */
  private async fencedOut(
    tx: postgres.TransactionSql,
    claimed: SubmissionRecord,
  ): Promise<SubmissionRecord> {
    this.options.logger?.warn(
      { applicationId: claimed.applicationId, attempt: claimed.attempts },
      'submission result arrived after the lease was taken over',
    );
    const [row] = await tx<Row[]>`
      select ${tx.unsafe(COLUMNS)} from submissions where application_id = ${claimed.applicationId}`;
    return toRecord(row as Row);
  }
}
