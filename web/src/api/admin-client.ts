/**
 * The operator console's API client: the same typed client as the job
 * seeker's, but its requests carry the router's admin token, which lives in
 * memory only (a reload asks for it again) and never in a cookie or storage.
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema.gen.ts';

let adminToken: string | undefined;

export function setAdminToken(token: string | undefined): void {
  adminToken = token;
}

export function hasAdminToken(): boolean {
  return adminToken !== undefined;
}

export const adminApi = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? '',
  fetch: (request: Request) => {
    const headers = new Headers(request.headers);
    if (adminToken) headers.set('authorization', `Bearer ${adminToken}`);
    return fetch(new Request(request, { headers, credentials: 'omit' }));
  },
});
