/**
 * `/internal/v1/users/:userId…`: what the router asks of a cell about one user,
 * router-signed for that user like any proxied request. Initialising a user at
 * signup, and the migration contract (docs/reference/cell.md, "Per-user
 * migration"): the user's data, its checksums, freeze, tombstone, activate and
 * purge. Handlers only validate and call `services.lifecycle`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../../lib/errors.ts';
import { readJson, readJsonBody, validate } from '../../../lib/validation.ts';
import type { CellEnv } from '../env.ts';
import { intParam, requireUuid } from '../query-params.ts';

const initUserBody = z.object({
  email: z.email().max(320),
  name: z.string().min(1).max(200),
});
const freezeQuery = z.object({ waitMs: intParam(0, 60_000).default(5_000) }).strict();
const tombstoneBody = z.object({ movedTo: z.string().min(1).max(100) }).strict();
const purgeQuery = z.object({ reason: z.enum(['account_deleted']).optional() }).strict();

/** The path's user, which must be the user the router signed for. */
function pathUser(c: { req: { param(name: 'userId'): string }; get(key: 'userId'): string }) {
  const userId = c.req.param('userId');
  if (userId !== c.get('userId')) {
    throw new ApiError('forbidden', 'The signed user id does not match the path');
  }
  return requireUuid(userId, 'user');
}

export const internalUserRoutes = new Hono<CellEnv>()
  .put('/:userId', async (c) => {
    const userId = pathUser(c);
    const body = await readJsonBody(c, initUserBody);
    const { created } = await c.get('services').users.initialize({ id: userId, ...body });
    return c.json({ userId, cellId: c.get('services').cellId, created }, created ? 201 : 200);
  })
  .get('/:userId/state', async (c) => {
    const userId = pathUser(c);
    return c.json({ userId, ...(await c.get('services').lifecycle.state(userId)) });
  })
  .get('/:userId/data', async (c) => {
    const userId = pathUser(c);
    return c.json(await c.get('services').userData.dump(userId));
  })
  .put('/:userId/data', async (c) => {
    const userId = pathUser(c);
    const dump = await readJson(c);
    return c.json(await c.get('services').lifecycle.load(userId, dump));
  })
  .delete('/:userId/data', async (c) => {
    const userId = pathUser(c);
    const { reason } = validate(purgeQuery, c.req.query(), 'query');
    await c.get('services').lifecycle.purge(userId, {
      ...(reason ? { reason } : {}),
      requestId: c.get('requestId'),
    });
    return c.body(null, 204);
  })
  .get('/:userId/checksums', async (c) => {
    const userId = pathUser(c);
    return c.json({ userId, checksums: await c.get('services').userData.checksums(userId) });
  })
  .get('/:userId/digests', async (c) => {
    const userId = pathUser(c);
    return c.json({ userId, digests: await c.get('services').userData.digests(userId) });
  })
  .put('/:userId/freeze', async (c) => {
    const userId = pathUser(c);
    const { waitMs } = validate(freezeQuery, c.req.query(), 'query');
    return c.json({ userId, ...(await c.get('services').lifecycle.freeze(userId, waitMs)) });
  })
  .delete('/:userId/freeze', async (c) => {
    const userId = pathUser(c);
    return c.json({ userId, ...(await c.get('services').lifecycle.unfreeze(userId)) });
  })
  .put('/:userId/tombstone', async (c) => {
    const userId = pathUser(c);
    const { movedTo } = await readJsonBody(c, tombstoneBody);
    return c.json({ userId, ...(await c.get('services').lifecycle.tombstone(userId, movedTo)) });
  })
  .delete('/:userId/tombstone', async (c) => {
    const userId = pathUser(c);
    return c.json({ userId, ...(await c.get('services').lifecycle.untombstone(userId)) });
  })
  .post('/:userId/activate', async (c) => {
    const userId = pathUser(c);
    const result = await c.get('services').lifecycle.activate(userId);
    return c.json({ userId, state: 'active', ...result });
  });
