/**
 * Accepts only requests the router signed for this cell: a cell port reached
 * directly, or a request signed for another cell, gives no one access.
 */
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../../../lib/errors.ts';
import { IDENTITY_HEADERS, verifyIdentity } from '../../../lib/router-signature.ts';
import type { CellEnv } from '../env.ts';

export function requireRouterIdentity(options: {
  secret: string;
  cellId: string;
  maxAgeMs: number;
}) {
  return createMiddleware<CellEnv>(async (c, next) => {
    const userId = c.req.header(IDENTITY_HEADERS.userId);
    const cellId = c.req.header(IDENTITY_HEADERS.cellId);
    const verdict = verifyIdentity(
      options.secret,
      { userId, cellId, requestId: c.req.header(IDENTITY_HEADERS.requestId) },
      c.req.header(IDENTITY_HEADERS.signature),
      { maxAgeMs: options.maxAgeMs },
    );
    if (!verdict.ok) {
      throw new ApiError('unauthorized', `Router signature ${verdict.reason}`);
    }
    if (cellId !== options.cellId) {
      throw new ApiError('misdirected_request', `This is ${options.cellId}, not ${cellId}`);
    }
    c.set('userId', userId as string);
    await next();
  });
}
