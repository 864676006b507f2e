/**
 * Submission channels: `GET /v1/channels` (each channel, whether it needs
 * credentials and which are stored, never the secrets), and
 * `PUT`/`DELETE /v1/channels/:channel/credentials[?scope=<board token>]`:
 * employer keys (`{"apiKey"}`) or the webhook channel's `{"url", "secret"}`,
 * sealed with AES-256-GCM before they reach Postgres.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { readJson, validate } from '../../../lib/validation.ts';
import type { CellEnv } from '../env.ts';

export const channelScopeQuery = z
  .object({
    scope: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/)
      .optional(),
  })
  .strict();

export const channelRoutes = new Hono<CellEnv>()
  .get('/', async (c) => {
    const { channels, channelCredentials } = c.get('services');
    const stored = await channelCredentials.list(c.get('userId'));
    return c.json({
      channels: channels.names().map((name) => ({
        name,
        requiresCredentials: channels.get(name).requiresCredentials,
        credentials: stored
          .filter((s) => s.channel === name)
          .map((s) => ({ scope: s.scope, updatedAt: s.updatedAt })),
      })),
    });
  })
  .put('/:channel/credentials', async (c) => {
    const { scope } = validate(channelScopeQuery, c.req.query(), 'query');
    const channel = c.req.param('channel');
    c.get('services').channels.get(channel); // unknown channel: 400 before reading the body
    const body = await readJson(c);
    await c.get('services').channelCredentials.put(c.get('userId'), channel, body, scope ?? '');
    return c.json({ channel, scope: scope ?? '', stored: true });
  })
  .delete('/:channel/credentials', async (c) => {
    const { scope } = validate(channelScopeQuery, c.req.query(), 'query');
    const channel = c.req.param('channel');
    c.get('services').channels.get(channel);
    await c.get('services').channelCredentials.remove(c.get('userId'), channel, scope ?? '');
    return c.body(null, 204);
  });
