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

export const addCellBody = z.object({
  id: configFields.cellId,
  url: z.url().transform((url) => url.replace(/\/+$/, '')),
  weight: z.number().int().positive().max(1000).default(1),
  rebalance: z.boolean().default(true),
});
export const rebalanceBody = z.object({ dryRun: z.boolean().default(false) });
export const moveBody = z.object({
  cellId: configFields.cellId,
  reason: z.string().trim().min(1).max(200).default('pinned'),
});

function methodNotAllowed(allow: string) {
  return () => {
    throw new ApiError('method_not_allowed', `Use ${allow}`, { headers: { allow } });
  };
}

/** A JSON body when there is one; `{}` for an empty body (every field has a default). */
async function optionalBody<T extends z.ZodType>(
  c: Parameters<typeof readJsonBody>[0],
  schema: T,
): Promise<z.infer<T>> {
  const length = c.req.header('content-length');
  if (!c.req.header('content-type') && (length === undefined || length === '0')) {
    return schema.parse({});
  }
  return readJsonBody(c, schema);
}

export const adminRoutes = new Hono<RouterEnv>()
  .use(requireAdmin)
  .get('/cells', (c) => c.json({ cells: c.get('services').admin.listCells() }))
  .post('/cells', async (c) => {
    const body = await readJsonBody(c, addCellBody);
    const result = await c.get('services').lifecycle.addCell(body, { rebalance: body.rebalance });
    return c.json(result, result.created ? 201 : 200);
  })
  .delete('/cells/:cellId', async (c) => {
    await c.get('services').lifecycle.removeCell(c.req.param('cellId'));
    return c.body(null, 204);
  })
  .post('/cells/:cellId/drain', async (c) => {
    const result = await c.get('services').lifecycle.drain(c.req.param('cellId'));
    return c.json(result, result.operation ? 202 : 200);
  })
  .post('/cells/:cellId/activate', async (c) =>
    c.json({ cell: await c.get('services').lifecycle.activate(c.req.param('cellId')) }),
  )
  .post('/rebalance', async (c) => {
    const body = await optionalBody(c, rebalanceBody);
    const result = await c.get('services').lifecycle.rebalance(body);
    return c.json(result, result.operation ? 202 : 200);
  })
  .get('/placements/:user', async (c) =>
    c.json(await c.get('services').admin.where(c.req.param('user'))),
  )
  .get('/overrides', async (c) => c.json({ overrides: await c.get('services').admin.listPinned() }))
  .post('/users/:user/move', async (c) => {
    const body = await readJsonBody(c, moveBody);
    const lifecycle = c.get('services').lifecycle;
    return c.json(await lifecycle.moveUser(c.req.param('user'), body.cellId, body.reason), 202);
  })
  .post('/users/:user/unpin', async (c) => {
    const result = await c.get('services').lifecycle.unpin(c.req.param('user'));
    return c.json(result, result.operation ? 202 : 200);
  })
  .get('/operations', async (c) =>
    c.json({ operations: await c.get('services').lifecycle.recent() }),
  )
  .get('/operations/current', async (c) =>
    c.json({ operation: await c.get('services').lifecycle.current() }),
  )
  .post('/operations/cancel', async (c) =>
    c.json({ operation: await c.get('services').lifecycle.cancel() }, 202),
  )
  .get('/operations/:id', async (c) =>
    c.json({ operation: await c.get('services').lifecycle.operation(c.req.param('id')) }),
  )
  .all('/cells', methodNotAllowed('GET, POST'))
  .all('/cells/:cellId', methodNotAllowed('DELETE'))
  .all('/cells/:cellId/drain', methodNotAllowed('POST'))
  .all('/cells/:cellId/activate', methodNotAllowed('POST'))
  .all('/rebalance', methodNotAllowed('POST'))
  .all('/placements/:user', methodNotAllowed('GET'))
  .all('/overrides', methodNotAllowed('GET'))
  .all('/users/:user/move', methodNotAllowed('POST'))
  .all('/users/:user/unpin', methodNotAllowed('POST'))
  .all('/operations', methodNotAllowed('GET'))
  .all('/operations/cancel', methodNotAllowed('POST'))
  .all('/operations/:id', methodNotAllowed('GET'));
