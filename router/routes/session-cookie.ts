/**
 * The browser's refresh token: an `HttpOnly`, `SameSite=Strict` cookie scoped
 * to `/v1/auth` (refresh reads it, logout revokes it; no other path ever sees
 * it), `Secure` when the request came over TLS. A request that uses the cookie
 * must also carry {@link CSRF_HEADER}: a page on another origin cannot set a
 * custom header without a CORS preflight the router never grants, so a forged
 * form or image request never spends or revokes a user's token.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ApiError } from '../../lib/errors.ts';

export const REFRESH_COOKIE = 'refresh_token';
export const REFRESH_COOKIE_PATH = '/v1/auth';
/** The header a request using the refresh cookie must send (any non-empty value). */
export const CSRF_HEADER = 'x-csrf-protection';

/** True when the request reached us over TLS (directly or through a TLS-terminating proxy). */
function overTls(c: Context): boolean {
  return (
    new URL(c.req.url).protocol === 'https:' ||
    c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https'
  );
}

/** True when the client says it keeps its refresh token in the cookie (the web app). */
export function isCookieClient(c: Context): boolean {
  return Boolean(c.req.header(CSRF_HEADER));
}

/** Browsers cap a cookie's life at 400 days (RFC 6265bis), and Hono refuses more. */
const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 3600;

export function setRefreshCookie(c: Context, token: string, maxAgeSeconds: number): void {
  setCookie(c, REFRESH_COOKIE, token, {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure: overTls(c),
    maxAge: Math.min(maxAgeSeconds, MAX_COOKIE_AGE_SECONDS),
  });
}

export function clearRefreshCookie(c: Context): void {
  deleteCookie(c, REFRESH_COOKIE, {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure: overTls(c),
  });
}

/** The cookie's refresh token, or undefined; `403` when it is used without the CSRF header. */
export function refreshTokenFromCookie(c: Context): string | undefined {
  const token = getCookie(c, REFRESH_COOKIE);
  if (!token) return undefined;
  if (!isCookieClient(c)) {
    throw new ApiError(
      'forbidden',
      `A request that uses the refresh cookie must send the ${CSRF_HEADER} header`,
    );
  }
  return token;
}
