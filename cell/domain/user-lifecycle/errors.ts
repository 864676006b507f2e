/** Errors of a user's lifecycle in this cell; the API maps them (`api/error-mapping.ts`). */
import { DomainError } from '../errors.ts';

/** The user is being migrated: writes wait (frozen), or nothing is live here yet (incoming). */
export class UserMigratingError extends DomainError {}

/** The user now lives in another cell. */
export class UserMovedError extends DomainError {
  constructor(readonly movedTo: string | null) {
    super(`This user has moved${movedTo ? ` to ${movedTo}` : ''}`);
  }
}

/** Work of the user is still running; the freeze holds, but try again. */
export class UserBusyError extends DomainError {
  constructor(readonly running: number) {
    super(`${running} request(s) or job(s) of this user are still running`);
  }
}

/** The account was deleted. */
export class UserDeletedError extends DomainError {}
