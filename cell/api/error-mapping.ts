/** Maps the cell's domain errors to the one API error contract. */
import { ApiError, unstorableTextError } from '../../lib/errors.ts';
import { DEPENDENCY_DOWN_HEADER } from '../../lib/http-headers.ts';
import {
  AlreadyAppliedError,
  AlreadyApprovedError,
  ChannelNotConfiguredError,
  InvalidSubmissionError,
  ProfileRequiredError,
  SubmissionInProgressError,
  UnknownChannelError,
  VariantVerificationError,
} from '../domain/applications/errors.ts';
import { PdfServiceError, PdfUnavailableError } from '../domain/applications/pdf-renderer.ts';
import {
  ConflictError,
  InvalidStateError,
  NotFoundError,
  ValidationError,
} from '../domain/errors.ts';
import {
  UserBusyError,
  UserDeletedError,
  UserMigratingError,
  UserMovedError,
} from '../domain/user-lifecycle/errors.ts';
import { isDependencyUnavailable } from '../infra/dependency-errors.ts';

export function mapCellDomainError(error: unknown): ApiError | undefined {
  const unstorable = unstorableTextError(error);
  if (unstorable) return unstorable;
  if (error instanceof NotFoundError) return new ApiError('not_found', error.message);
  if (error instanceof ConflictError)
    return new ApiError('conflict', error.message, { details: error.details });
  if (error instanceof InvalidStateError) return new ApiError('invalid_state', error.message);
  if (error instanceof AlreadyAppliedError) {
    return new ApiError('already_applied', error.message, {
      details: { applicationId: error.applicationId },
    });
  }
  if (error instanceof AlreadyApprovedError) {
    return new ApiError('already_approved', error.message, {
      details: { applicationId: error.applicationId },
    });
  }
  if (error instanceof VariantVerificationError) {
    return new ApiError('verification_failed', error.message, {
      details: { violations: error.violations },
    });
  }
  if (error instanceof ProfileRequiredError) return new ApiError('unprocessable', error.message);
  if (error instanceof ChannelNotConfiguredError) {
    return new ApiError('channel_not_configured', error.message, {
      details: {
        channel: error.channel,
        ...(error.details as Record<string, unknown> | undefined),
      },
    });
  }
  if (error instanceof UnknownChannelError) {
    return new ApiError('validation_failed', error.message, {
      details: { problems: [{ pointer: '/channel', message: error.message }], known: error.known },
    });
  }
  if (error instanceof InvalidSubmissionError) {
    return new ApiError('unprocessable', error.message, { details: { channel: error.channel } });
  }
  if (error instanceof SubmissionInProgressError) {
    return new ApiError('conflict', error.message, {
      headers: { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) },
    });
  }
  if (error instanceof UserMigratingError) {
    return new ApiError('user_migrating', error.message, { headers: { 'retry-after': '1' } });
  }
  if (error instanceof UserMovedError) {
    return new ApiError('user_moved', error.message, { details: { movedTo: error.movedTo } });
  }
  if (error instanceof UserBusyError) {
    return new ApiError('user_busy', error.message, {
      headers: { 'retry-after': '1' },
      details: { running: error.running },
    });
  }
  if (error instanceof UserDeletedError) return new ApiError('unauthorized', error.message);
  if (error instanceof ValidationError) {
    return new ApiError('validation_failed', error.message, {
      details: { problems: error.problems },
    });
  }
  if (error instanceof PdfServiceError) {
    return new ApiError('upstream_error', 'The PDF service failed to render this document');
  }
  if (error instanceof PdfUnavailableError) {
    return new ApiError('service_unavailable', 'The PDF service cannot render now', {
      headers: { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) },
    });
  }
  if (isDependencyUnavailable(error)) {
    return new ApiError('service_unavailable', 'A dependency of this cell is unavailable', {
      headers: { 'retry-after': '1', [DEPENDENCY_DOWN_HEADER]: '1' },
    });
  }
  return undefined;
}
