/** `/admin/v1/*`: the operator API behind `Authorization: Bearer <ADMIN_TOKEN>`. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { configFields } from '../../lib/config.ts';
import { ApiError } from '../../lib/errors.ts';
import { readJsonBody } from '../../lib/validation.ts';
import type { RouterEnv } from '../env.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

const requireAdmin = createMiddleware<RouterEnv>(async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  // Compare digests so the comparison is constant-time whatever the lengths.
  const expected = digest(c.get('services').config.ADMIN_TOKEN);
  if (!token || !timingSafeEqual(digest(token), expected)) {
    throw new ApiError('unauthorized', 'Admin token required', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  await next();
});

const overrideBody = z.object({
  cellId: configFields.cellId,
  reason: z.string().trim().min(1).max(200).default('pinned'),
});

function methodNotAllowed(allow: string) {
  return () => {
    throw new ApiError('method_not_allowed', `Use ${allow}`, { headers: { allow } });
  };
}

export const adminRoutes = new Hono<RouterEnv>()
  .use(requireAdmin)
  .get('/cells', async (c) => c.json({ cells: await c.get('services').admin.listCells() }))
  .post('/cells/:cellId/drain', async (c) =>
    c.json({ cell: await c.get('services').admin.setCellState(c.req.param('cellId'), 'draining') }),
  )
  .post('/cells/:cellId/activate', async (c) =>
    c.json({ cell: await c.get('services').admin.setCellState(c.req.param('cellId'), 'active') }),
  )
  .get('/placements/:user', async (c) =>
    c.json(await c.get('services').admin.where(c.req.param('user'))),
  )
  .get('/overrides', async (c) =>
    c.json({ overrides: await c.get('services').admin.listOverrides() }),
  )
  .put('/overrides/:userId', async (c) => {
    const body = await readJsonBody(c, overrideBody);
    const admin = c.get('services').admin;
    return c.json(await admin.setOverride(c.req.param('userId'), body.cellId, body.reason));
  })
  .delete('/overrides/:userId', async (c) => {
    await c.get('services').admin.clearOverride(c.req.param('userId'));
    return c.body(null, 204);
  })
  .all('/cells', methodNotAllowed('GET'))
  .all('/cells/:cellId/drain', methodNotAllowed('POST'))
  .all('/cells/:cellId/activate', methodNotAllowed('POST'))
  .all('/placements/:user', methodNotAllowed('GET'))
  .all('/overrides', methodNotAllowed('GET'))
  .all('/overrides/:userId', methodNotAllowed('PUT, DELETE'));
