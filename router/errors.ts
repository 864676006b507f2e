/**
 * Domain errors of the router and their mapping to the one HTTP error format.
 * The domain classes know nothing of HTTP; `mapRouterError` is the only place
 * that turns them into `ApiError`s.
 */
import { ApiError, type DomainErrorMapper } from '../lib/errors.ts';

export class InvalidCredentialsError extends Error {
  override name = 'InvalidCredentialsError';
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export class EmailTakenError extends Error {
  override name = 'EmailTakenError';
}

export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(readonly retryAfterSeconds: number) {
    super('Too many attempts');
  }
}

/** The user's cell cannot serve now: down, refused, or failed to initialise the user. */
export class CellUnavailableError extends Error {
  override name = 'CellUnavailableError';
  constructor(
    readonly cellId: string | undefined,
    message = 'The cell of this user is unavailable',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class CellDrainingError extends Error {
  override name = 'CellDrainingError';
  constructor(readonly cellId: string) {
    super('The cell of this user is draining');
  }
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

export function createRouterErrorMapper(retryAfterSeconds: number): DomainErrorMapper {
  const retryAfter = { 'retry-after': String(retryAfterSeconds) };
  return (error) => {
    if (error instanceof InvalidCredentialsError) {
      return new ApiError('unauthorized', 'Invalid email or password');
    }
    if (error instanceof InvalidTokenError) return new ApiError('unauthorized', error.message);
    if (error instanceof EmailTakenError) {
      return new ApiError('already_exists', 'An account with this email already exists');
    }
    if (error instanceof RateLimitedError) {
      return new ApiError('rate_limited', 'Too many login attempts; try again later', {
        headers: { 'retry-after': String(error.retryAfterSeconds) },
      });
    }
    if (error instanceof CellUnavailableError) {
      return new ApiError('cell_unavailable', error.message, {
        headers: { ...retryAfter, ...(error.cellId ? { 'x-cell-id': error.cellId } : {}) },
      });
    }
    if (error instanceof CellDrainingError) {
      return new ApiError('cell_draining', error.message, {
        headers: { ...retryAfter, 'x-cell-id': error.cellId },
      });
    }
    if (error instanceof NotFoundError) return new ApiError('not_found', error.message);
    if (error instanceof InvalidInputError) return new ApiError('bad_request', error.message);
    return undefined;
  };
}
