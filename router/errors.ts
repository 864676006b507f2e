/**
 * Domain errors of the router and their mapping to the one HTTP error format.
 * The domain classes know nothing of HTTP; `mapRouterError` is the only place
 * that turns them into `ApiError`s.
 */
import { ApiError, type DomainErrorMapper, unstorableTextError } from '../lib/errors.ts';

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

/** A write of a user whose data is being migrated; reads still pass. */
export class UserMigratingError extends Error {
  override name = 'UserMigratingError';
  constructor(readonly cellId: string) {
    super('This account is being moved; writes resume within seconds');
  }
}

/** A valid token of a user that has no account (deleted) or no placement. */
export class UnknownAccountError extends Error {
  override name = 'UnknownAccountError';
  constructor() {
    super('This account no longer exists');
  }
}

/** The password confirmation of a sensitive action did not match. */
export class PasswordMismatchError extends Error {
  override name = 'PasswordMismatchError';
  constructor() {
    super('The password does not match');
  }
}

/** No cell can take a new user now. */
export class NoCellAvailableError extends Error {
  override name = 'NoCellAvailableError';
}

/** A conflict with the current state, carrying one of the closed 409 codes. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    readonly code:
      | 'migration_running'
      | 'cell_not_empty'
      | 'nothing_to_cancel'
      | 'already_on_cell'
      | 'conflict',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
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
    const unstorable = unstorableTextError(error);
    if (unstorable) return unstorable;
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
    if (error instanceof UserMigratingError) {
      return new ApiError('user_migrating', error.message, {
        headers: { 'retry-after': '1', 'x-cell-id': error.cellId },
      });
    }
    if (error instanceof PasswordMismatchError) return new ApiError('forbidden', error.message);
    if (error instanceof UnknownAccountError) return new ApiError('unauthorized', error.message);
    if (error instanceof NoCellAvailableError) {
      return new ApiError('cell_unavailable', error.message, { headers: retryAfter });
    }
    if (error instanceof ConflictError) {
      return new ApiError(error.code, error.message, { details: error.details });
    }
    if (error instanceof NotFoundError) return new ApiError('not_found', error.message);
    if (error instanceof InvalidInputError) return new ApiError('bad_request', error.message);
    return undefined;
  };
}
