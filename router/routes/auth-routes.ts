/** `/v1/auth/*`: signup, login, refresh, logout. Thin: validate, call AuthService. */
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../lib/errors.ts';
import { readJsonBody } from '../../lib/validation.ts';
import type { RouterEnv } from '../env.ts';

export const signupBody = z.object({
  email: z.email().max(254),
  password: z.string().min(8).max(1024),
  name: z.string().trim().min(1).max(200),
});
export const loginBody = z.object({
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(1024),
});
export const refreshBody = z.object({ refreshToken: z.string().min(1).max(256) });

function methodNotAllowed(allow: string) {
  return () => {
    throw new ApiError('method_not_allowed', `Use ${allow}`, { headers: { allow } });
  };
}

export const authRoutes = new Hono<RouterEnv>()
  .post('/signup', async (c) => {
    const body = await readJsonBody(c, signupBody);
    const session = await c.get('services').auth.signup(body, c.get('requestId'));
    if (session.cellId) c.header('x-cell-id', session.cellId);
    return c.json(session, 201);
  })
  .post('/login', async (c) => {
    const body = await readJsonBody(c, loginBody);
    const ip = c.env?.incoming?.socket.remoteAddress ?? 'unknown';
    return c.json(await c.get('services').auth.login(body, ip));
  })
  .post('/refresh', async (c) => {
    const body = await readJsonBody(c, refreshBody);
    return c.json(await c.get('services').auth.refresh(body.refreshToken));
  })
  .post('/logout', async (c) => {
    const body = await readJsonBody(c, refreshBody);
    await c.get('services').auth.logout(body.refreshToken);
    return c.body(null, 204);
  })
  .all('/signup', methodNotAllowed('POST'))
  .all('/login', methodNotAllowed('POST'))
  .all('/refresh', methodNotAllowed('POST'))
  .all('/logout', methodNotAllowed('POST'));
