/**
 * `GET /v1/notifications` (newest first, `?before=&limit=`), and the optional
 * status webhook: `PUT`, `GET` and `DELETE /v1/notifications/webhook`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { isUuid } from '../../../lib/ids.ts';
import { readJsonBody, validate } from '../../../lib/validation.ts';
import type { CellEnv } from '../env.ts';
import { intParam } from '../query-params.ts';

export const notificationListQuery = z
  .object({
    before: z.string().refine(isUuid, 'must be a notification id').optional(),
    limit: intParam(1, 100).optional(),
  })
  .strict();

export const webhookBody = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2_000),
    secret: z.string().min(16).max(500),
  })
  .strict();

export const notificationRoutes = new Hono<CellEnv>()
  .get('/', async (c) => {
    const query = validate(notificationListQuery, c.req.query(), 'query');
    const limit = query.limit ?? 50;
    const { notifications, hasMore } = await c
      .get('services')
      .notifications.list(c.get('userId'), { after: query.before, limit });
    return c.json({ notifications, hasMore, next: hasMore ? notifications.at(-1)?.id : null });
  })
  .put('/webhook', async (c) => {
    const body = await readJsonBody(c, webhookBody);
    await c.get('services').notifications.setWebhook(c.get('userId'), body.url, body.secret);
    return c.json({ url: body.url });
  })
  .get('/webhook', async (c) => {
    const webhook = await c.get('services').notifications.getWebhook(c.get('userId'));
    return c.json({ webhook });
  })
  .delete('/webhook', async (c) => {
    await c.get('services').notifications.removeWebhook(c.get('userId'));
    return c.body(null, 204);
  });
