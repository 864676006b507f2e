/**
 * The router's HTTP listener: plain `/v1/…` targets outside `/v1/auth/` go
 * straight to the proxy on node's request and response (no Request/Response
 * objects, no middleware chain: most of the router's traffic); everything
 * else, and any target Hono must normalise first, goes to the Hono app.
 * `listenRouter` serves it with lib/http-server.ts's `listenNode`, with the
 * same graceful close as every other process.
 */
import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { type ListenOptions, listenNode, type RunningServer } from '../lib/http-server.ts';
import { createApp } from './app.ts';
import { proxyRequest } from './proxy/proxy-request.ts';
import { isAccountDeletion } from './routes/account-routes.ts';
import { OPENAPI_PATH } from './routes/openapi-routes.ts';
import type { RouterServices } from './services.ts';

// The targets @hono/node-server takes verbatim (it runs anything else, `%` or `\` included,
// through `new URL()`), so that this check and Hono's routing always see the same path.
const PLAIN_TARGET = /^\/v1\/[!#$&-;=?-[\]_a-z~]*$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;

/** True when `url` is a proxied target that needs no normalisation. */
export function isPlainProxyTarget(url: string): boolean {
  return (
    PLAIN_TARGET.test(url) &&
    !url.startsWith('/v1/auth/') &&
    !DOT_SEGMENT.test(url) &&
    !url.startsWith(OPENAPI_PATH)
  );
}

export function createRouterListener(
  services: RouterServices,
  options: { hostname?: string } = {},
): RequestListener {
  const hono = getRequestListener(createApp(services).fetch, { hostname: options.hostname });
  return (req, res) => {
    const url = req.url ?? '/';
    if (isPlainProxyTarget(url) && !isAccountDeletion(req.method, url)) {
      try {
        proxyRequest(services, req, res, url);
      } catch (error) {
        // proxyRequest answers its own errors; anything else must not take the process down.
        services.logger.error({ err: error }, 'proxy failed');
        res.destroy();
      }
    } else {
      void hono(req, res);
    }
  };
}

/** Listens with {@link createRouterListener}; `close()` drains in-flight requests. */
export function listenRouter(
  services: RouterServices,
  options: ListenOptions,
): Promise<RunningServer> {
  return listenNode(
    createRouterListener(services, { hostname: options.host ?? '127.0.0.1' }),
    options,
  );
}
