/**
 * Serves a user's `/v1` requests only while the user is live in this cell:
 * frozen → writes answer `503 user_migrating` (`Retry-After: 1`), reads work;
 * moved → `409 user_moved`; incoming (not live here yet) → `503
 * user_migrating`; deleted → `401`. A write marks itself running before it
 * reads the state, so a freeze either refuses it or waits for it to end.
 * Mounted after the request deadline, so the mark lasts until the handler
 * really ends, not just until the client got its 503.
 */
import { createMiddleware } from 'hono/factory';
import {
  UserDeletedError,
  UserMigratingError,
  UserMovedError,
} from '../../domain/user-lifecycle/errors.ts';
import type { CellEnv } from '../env.ts';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function enforceUserState(options: {
  /** How long a write counts as running if its process dies mid-way. */
  writeTtlMs: number;
}) {
  return createMiddleware<CellEnv>(async (c, next) => {
    const { lifecycle, userActivity, logger } = c.get('services');
    const userId = c.get('userId');
    const write = !READS.has(c.req.method);
    let end: (() => Promise<void>) | undefined;
    if (write) {
      // Redis down: the write goes on (as the rate limiter does), and a freeze,
      // which needs Redis to wait, cannot complete until it is back.
      end = await userActivity
        .begin(userId, `api:${c.req.method}`, options.writeTtlMs)
        .catch((error: unknown) => {
          logger.warn({ err: error }, 'user activity not recorded');
          return undefined;
        });
    }
    try {
      const { state, movedTo } = await lifecycle.state(userId);
      switch (state) {
        case 'moved':
          throw new UserMovedError(movedTo);
        case 'deleted':
          throw new UserDeletedError('This account was deleted');
        case 'incoming':
          throw new UserMigratingError('This user is being moved to this cell');
        case 'frozen':
          if (write) throw new UserMigratingError('This user is being migrated; retry shortly');
          break;
        case 'active':
          break;
      }
      await next();
    } finally {
      await end?.().catch(() => undefined);
    }
  });
}
