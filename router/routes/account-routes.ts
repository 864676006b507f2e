/**
 * `DELETE /v1/account {password}`: the one `/v1` route the router answers
 * itself, because an account spans the control plane and the user's cell.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { readJsonBody } from '../../lib/validation.ts';
import type { RouterEnv } from '../env.ts';
import { bearerToken } from '../proxy/proxy-request.ts';

export const deleteAccountBody = z.object({ password: z.string().min(1).max(1024) });

/** True for the requests this file answers (router/listener.ts keeps them off the fast proxy path). */
export function isAccountDeletion(method: string | undefined, path: string): boolean {
  return method === 'DELETE' && (path === '/v1/account' || path.startsWith('/v1/account?'));
}

export const accountRoutes = new Hono<RouterEnv>().delete('/', async (c) => {
  const services = c.get('services');
  const userId = await services.tokens.verify(bearerToken(c.req.header('authorization')));
  const body = await readJsonBody(c, deleteAccountBody);
  await services.auth.deleteAccount(userId, body.password, c.get('requestId'));
  return c.body(null, 204);
});
