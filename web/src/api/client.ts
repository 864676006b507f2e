/**
 * The one API client, typed from the OpenAPI document (schema.gen.ts, by
 * `make openapi`): no hand-written request or response types. Its fetch adds
 * the in-memory access token, marks auth calls as a cookie client (the CSRF
 * header), and on a 401 refreshes the session once through the HttpOnly
 * cookie and retries; when that fails too, the session ends as "expired" and
 * the app sends the user to log in with their place kept.
 */
import createClient from 'openapi-fetch';
import { getSession, setSession, signIn } from '../session/session.ts';
import { ApiProblem, networkProblem, problemFromResponse } from './problem.ts';
import type { paths } from './schema.gen.ts';

/** The header the router requires whenever the refresh cookie is used. */
export const CSRF_HEADER = 'x-csrf-protection';

let refreshing: Promise<boolean> | undefined;

/** Exchanges the refresh cookie for a new access token; false when there is no live session. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/v1/auth/refresh', {
        method: 'POST',
        headers: { [CSRF_HEADER]: '1' },
        credentials: 'same-origin',
      });
      if (!response.ok) return false;
      signIn(await response.json());
      return true;
    } catch {
      return false;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

function withToken(request: Request): Request {
  const headers = new Headers(request.headers);
  if (request.url.includes('/v1/auth/')) headers.set(CSRF_HEADER, '1');
  const session = getSession();
  if (session.status === 'signed-in') headers.set('authorization', `Bearer ${session.accessToken}`);
  return new Request(request, { headers, credentials: 'same-origin' });
}

async function authenticatedFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await fetch(withToken(request));
  const isAuthCall = request.url.includes('/v1/auth/');
  if (response.status !== 401 || isAuthCall || getSession().status !== 'signed-in') {
    return response;
  }
  if (await refreshSession()) return fetch(withToken(retry));
  setSession({ status: 'signed-out', reason: 'expired' });
  return response;
}

export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? '',
  fetch: authenticatedFetch,
});

/**
 * The data of an openapi-fetch answer, or an {@link ApiProblem} thrown with the
 * server's message, request id and field problems.
 */
export async function call<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch (error) {
    throw error instanceof ApiProblem ? error : networkProblem(error);
  }
  if (!result.response.ok) throw problemFromResponse(result.response, result.error);
  return result.data as T;
}
