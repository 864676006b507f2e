/** `GET /v1/ledger?cellId=&userId=&since=&limit=&after=`: the cost ledger, for the calling cell only. */
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../../lib/errors.ts';
import { validate } from '../../../lib/validation.ts';
import type { AiEnv } from '../app.ts';
import { requestParty } from './party.ts';

const querySchema = z.object({
  cellId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  userId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/)
    .optional(),
  /** ISO timestamp or epoch milliseconds. */
  since: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: 'custom', message: 'must be an ISO timestamp or epoch milliseconds' });
        return z.NEVER;
      }
      return ms;
    }),
  after: z
    .string()
    .regex(/^\d+-\d+$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

export const ledgerRoutes = new Hono<AiEnv>().get('/', async (c) => {
  const party = requestParty(c, { userRequired: false });
  const query = validate(querySchema, c.req.query(), 'query');
  if (query.cellId !== party.cellId)
    throw new ApiError('forbidden', 'A cell may read only its own ledger');
  const { entries, next } = await c.get('services').ledger.query({
    cellId: query.cellId,
    ...(query.userId ? { userId: query.userId } : {}),
    ...(query.since !== undefined ? { sinceMs: query.since } : {}),
    ...(query.after ? { after: query.after } : {}),
    limit: query.limit,
  });
  const totalCostUsd = entries.reduce((sum, e) => sum + e.costUsd, 0);
  return c.json({ entries, totalCostUsd, next });
});
