/**
 * `/v1/auth/*`: signup, login, refresh, logout. Thin: validate, call AuthService.
 * Scripts send the refresh token in the JSON body; the browser keeps it in the
 * cookie of session-cookie.ts, and each answer that makes a session sets it.
 */
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../lib/errors.ts';
import { readJsonBody } from '../../lib/validation.ts';
import type { RouterEnv } from '../env.ts';
import type { Session } from '../identity/auth-service.ts';
import {
  clearRefreshCookie,
  isCookieClient,
  refreshTokenFromCookie,
  setRefreshCookie,
} from './session-cookie.ts';

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

/**
 * The session as answered: the cookie always carries the refresh token; a
 * cookie client (the web app) does not get it in the body, so page scripts
 * never hold it.
 */
function answerSession(c: Context<RouterEnv>, session: Session): Omit<Session, 'refreshToken'> {
  setRefreshCookie(c, session.refreshToken, session.refreshExpiresIn);
  if (!isCookieClient(c)) return session;
  const { refreshToken: _kept, ...rest } = session;
  return rest;
}

/**
 * The refresh token of a refresh or logout: from the JSON body when there is
 * one (scripts), else from the cookie (the browser, with the CSRF header).
 */
async function presentedRefreshToken(
  c: Context<RouterEnv>,
): Promise<{ token: string; fromCookie: boolean }> {
  // Hono caches the text, so readJsonBody below reads the same bytes.
  if ((await c.req.text()).trim() !== '') {
    return { token: (await readJsonBody(c, refreshBody)).refreshToken, fromCookie: false };
  }
  const token = refreshTokenFromCookie(c);
  if (!token) {
    throw new ApiError('unauthorized', 'No refresh token: send {refreshToken} or the cookie');
  }
  return { token, fromCookie: true };
}

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
    return c.json(answerSession(c, session), 201);
  })
  .post('/login', async (c) => {
    const body = await readJsonBody(c, loginBody);
    const ip = c.env?.incoming?.socket.remoteAddress ?? 'unknown';
    return c.json(answerSession(c, await c.get('services').auth.login(body, ip)));
  })
  .post('/refresh', async (c) => {
    const { token, fromCookie } = await presentedRefreshToken(c);
    try {
      return c.json(answerSession(c, await c.get('services').auth.refresh(token)));
    } catch (error) {
      // A spent or revoked cookie is useless: drop it so the browser stops sending it.
      if (fromCookie) clearRefreshCookie(c);
      throw error;
    }
  })
  .post('/logout', async (c) => {
    const { token } = await presentedRefreshToken(c);
    await c.get('services').auth.logout(token);
    clearRefreshCookie(c);
    return c.body(null, 204);
  })
  .all('/signup', methodNotAllowed('POST'))
  .all('/login', methodNotAllowed('POST'))
  .all('/refresh', methodNotAllowed('POST'))
  .all('/logout', methodNotAllowed('POST'));
