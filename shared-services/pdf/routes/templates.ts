/** `GET /v1/templates`: the template ids with a short description. */
import { Hono } from 'hono';
import type { PdfEnv } from '../env.ts';
import { PAGE_SIZES } from '../render/resume-schema.ts';
import { listTemplates } from '../render/templates.ts';

export const templateRoutes = new Hono<PdfEnv>().get('/templates', (c) =>
  c.json({ templates: listTemplates(), pageSizes: PAGE_SIZES, defaultPageSize: 'letter' }),
);
