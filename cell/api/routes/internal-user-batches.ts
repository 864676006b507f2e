/**
 * `/internal/v1/user-batches/…`: a migration's copy of several users in one
 * request each way (docs/reference/cell.md, "Internal endpoints"). The router
 * signs these for {@link ROUTER_BATCH_ACTOR}, not for a user: a signature made
 * for one user's request opens none of them. Dumps travel as JSON Lines, one
 * user's dump (the document of `GET /internal/v1/users/:userId/data`) per
 * line, so the migrator passes each on without parsing it again.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../../lib/errors.ts';
import { ROUTER_BATCH_ACTOR } from '../../../lib/router-signature.ts';
import { readJsonBody, readJsonLines } from '../../../lib/validation.ts';
import type { CellEnv } from '../env.ts';

/** Users per batch request. */
export const MAX_USERS_PER_BATCH = 32;

const NDJSON = 'application/x-ndjson';
const userIdSchema = z.uuid();

const dumpBody = z
  .object({
    userIds: z
      .array(userIdSchema)
      .min(1)
      .max(MAX_USERS_PER_BATCH)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a user'),
  })
  .strict();

function requireBatchActor(c: { get(key: 'userId'): string }): void {
  if (c.get('userId') !== ROUTER_BATCH_ACTOR) {
    throw new ApiError('forbidden', 'A batch of users is signed for the router, not for a user');
  }
}

/** The user of each dump line (its `userId`); the dump itself is checked by the load. */
function usersOf(dumps: unknown[]): string[] {
  const problems: { pointer: string; message: string }[] = [];
  const seen = new Set<string>();
  const users = dumps.map((dump, i) => {
    const userId = (dump as { userId?: unknown } | null)?.userId;
    if (typeof userId !== 'string' || !userIdSchema.safeParse(userId).success) {
      problems.push({ pointer: `/dumps/${i}/userId`, message: 'must be a user id' });
      return '';
    }
    if (seen.has(userId)) {
      problems.push({ pointer: `/dumps/${i}/userId`, message: 'must not repeat a user' });
    }
    seen.add(userId);
    return userId;
  });
  if (problems.length > 0) {
    throw new ApiError('validation_failed', 'Invalid user data dump', { details: { problems } });
  }
  return users;
}

export const internalUserBatchRoutes = new Hono<CellEnv>()
  .post('/dump', async (c) => {
    requireBatchActor(c);
    const { userIds } = await readJsonBody(c, dumpBody);
    const dumps = await c.get('services').userData.dumpMany(userIds);
    // One user at a time, yielding in between: the cell keeps serving its other users.
    let body = '';
    for (const dump of dumps) {
      body += `${JSON.stringify(dump)}\n`;
      await yieldToEventLoop();
    }
    return c.body(body, 200, { 'content-type': NDJSON });
  })
  .put('/data', async (c) => {
    requireBatchActor(c);
    const dumps = await readJsonLines(c, { maxLines: MAX_USERS_PER_BATCH });
    const users = usersOf(dumps);
    const outcomes = await c
      .get('services')
      .lifecycle.loadMany(users.map((userId, i) => ({ userId, input: dumps[i] })));
    return c.json({ results: outcomes.map((outcome, i) => ({ userId: users[i], ...outcome })) });
  });
