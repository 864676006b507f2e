/**
 * `/v1/*` except auth, for the targets Hono normalises first (percent-encoding,
 * dot segments, absolute form): the same `proxyRequest` router/listener.ts
 * calls directly for plain targets (router/proxy/proxy-request.ts).
 */
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import type { RouterEnv } from '../env.ts';
import { proxyRequest } from '../proxy/proxy-request.ts';

export const proxyRoutes = new Hono<RouterEnv>().all('/*', async (c) => {
  const { incoming, outgoing } = c.env ?? {};
  if (!incoming || !outgoing) throw new Error('the proxy needs a node server (@hono/node-server)');
  const url = c.req.url;
  const path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  await new Promise<void>((done) =>
    proxyRequest(c.get('services'), incoming, outgoing, path, c.get('requestId'), done),
  );
  return RESPONSE_ALREADY_SENT;
});
