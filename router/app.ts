/**
 * The router's Hono app: health and metrics, auth, the admin API, and the
 * authenticated proxy of every other `/v1/*` request to the user's cell. The
 * plain proxied targets never reach it: router/listener.ts sends them to the
 * proxy first.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { createErrorHandler, notFoundHandler } from '../lib/errors.ts';
import { readinessResponse } from '../lib/health.ts';
import { REQUEST_ID_HEADER, requestContext } from '../lib/request-id.ts';
import type { RouterEnv } from './env.ts';
import { resolveProxyRequestId } from './proxy/request-ids.ts';
import { accountRoutes, isAccountDeletion } from './routes/account-routes.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { OPENAPI_PATH, openApiRoutes } from './routes/openapi-routes.ts';
import { proxyRoutes } from './routes/proxy-routes.ts';
import { webRoutes } from './routes/web-routes.ts';
import type { RouterServices } from './services.ts';

/** Paths the `/v1/*` proxy route serves (Hono's `/v1/*` also matches `/v1`). */
function isProxyPath(path: string): boolean {
  return (
    path === '/v1' ||
    (path.startsWith('/v1/') && !path.startsWith('/v1/auth/') && path !== OPENAPI_PATH)
  );
}

export function createApp(services: RouterServices): Hono<RouterEnv> {
  const app = new Hono<RouterEnv>();
  app.onError(createErrorHandler(services.logger, services.mapError));
  app.notFound(notFoundHandler);
  // requestContext is typed for the bare request-context env; ours extends it.
  const context = requestContext(services.logger) as unknown as MiddlewareHandler<RouterEnv>;
  app.use(async (c, next) => {
    if (!isProxyPath(c.req.path) || isAccountDeletion(c.req.method, c.req.path)) {
      return context(c, next);
    }
    // The proxy writes straight to node's response, so nothing may touch Hono's response
    // after it (requestContext sets a header after next()): same id, no header.
    c.set('requestId', resolveProxyRequestId(c.req.header(REQUEST_ID_HEADER)));
    c.set('logger', services.logger);
    await next();
  });
  app.use(async (c, next) => {
    c.set('services', services);
    await next();
  });
  // Proxied requests are counted by cell and status in router/metrics.ts instead.
  for (const path of ['/health/*', '/metrics', '/v1/auth/*', '/admin/*', OPENAPI_PATH]) {
    app.use(path, services.metrics.base.httpMiddleware);
  }

  app.get('/health/live', (c) => c.json({ status: 'live' }));
  app.get('/health/ready', (c) =>
    readinessResponse(c, {
      controlPlane: async () => {
        await services.sql`select 1`;
        return undefined;
      },
      registry: async () => {
        const cells = services.directory.cells();
        if (services.directory.version === 0) throw new Error('registry not loaded');
        return { cells: cells.length };
      },
    }),
  );
  app.get('/metrics', (c) => services.metrics.base.handler(c));
  app.route('/v1/auth', authRoutes);
  app.route('/admin/v1', adminRoutes);
  app.route('/v1/account', accountRoutes);
  app.route(OPENAPI_PATH, openApiRoutes);
  app.route('/v1', proxyRoutes);
  app.route('/', webRoutes);
  return app;
}
