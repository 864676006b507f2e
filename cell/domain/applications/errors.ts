/**
 * Domain errors of applications and their submission. They know nothing of
 * HTTP; cell/api/error-mapping.ts maps them to the one error contract.
 */
import { DomainError } from '../errors.ts';

/** A channel whose credentials (or cell configuration) are missing or invalid: 422. */
export class ChannelNotConfiguredError extends DomainError {
  constructor(
    readonly channel: string,
    message = `The ${channel} channel is not configured`,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A channel name the cell does not know: 400. */
export class UnknownChannelError extends DomainError {
  constructor(
    readonly channel: string,
    readonly known: readonly string[],
  ) {
    super(`Unknown channel "${channel}"; expected one of ${known.join(', ')}`);
  }
}

/** The application lacks something the channel needs (e.g. an apply email): 422. */
export class InvalidSubmissionError extends DomainError {
  constructor(
    readonly channel: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How a failed submission ended:
 * - `not_delivered`: nothing reached the employer (connection refused, 429) — safe to send again;
 * - `rejected`: the employer's side answered and refused (4xx) — do not send again as is;
 * - `unknown`: it may have arrived (timeout after sending, 5xx, dropped connection) — never re-sent
 *   blindly; the user is asked.
 */
export type SubmissionFailure = 'not_delivered' | 'rejected' | 'unknown';

export class SubmissionError extends DomainError {
  constructor(
    readonly channel: string,
    readonly outcome: SubmissionFailure,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Another live attempt holds the submission's lease; try again after `retryAfterMs`. */
export class SubmissionInProgressError extends DomainError {
  constructor(
    readonly applicationId: string,
    readonly retryAfterMs: number,
  ) {
    super(`Application ${applicationId} is being submitted by another attempt`);
  }
}

/** The user already applied to this job: 409 `already_applied` with the existing id. */
export class AlreadyAppliedError extends DomainError {
  constructor(readonly applicationId: string) {
    super('You already applied to this job');
  }
}

/** The application was approved before: 409 `already_approved`. */
export class AlreadyApprovedError extends DomainError {
  constructor(readonly applicationId: string) {
    super('This application is already approved');
  }
}

/** A variant (e.g. the user's edit) claims what the profile does not say: 422. */
export class VariantVerificationError extends DomainError {
  constructor(readonly violations: readonly unknown[]) {
    super('The variant states things the profile version does not contain');
  }
}

/** Applying needs a profile: 422 `unprocessable`. */
export class ProfileRequiredError extends DomainError {
  constructor() {
    super('Import your profile (PUT /v1/profile) before applying');
  }
}
