/** `GET /v1/export`: everything the user owns in this cell, as one JSON document. */
import { Hono } from 'hono';
import type { CellEnv } from '../env.ts';

export const exportRoutes = new Hono<CellEnv>().get('/', async (c) => {
  const document = await c.get('services').lifecycle.export(c.get('userId'));
  return c.json(document, 200, {
    'content-disposition': `attachment; filename="export-${document.userId}.json"`,
  });
});
