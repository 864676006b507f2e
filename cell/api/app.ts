/** The cell API: `createApp(services)` builds the Hono app; `server.ts` listens. */
import { Hono } from 'hono';
import { etag } from 'hono/etag';
import { createMiddleware } from 'hono/factory';
import { requestDeadline } from '../../lib/deadline.ts';
import { ApiError, createErrorHandler, notFoundHandler } from '../../lib/errors.ts';
import { bodyLimit, DEPENDENCY_DOWN_HEADER, setResponseHeader } from '../../lib/http-headers.ts';
import { requestContext } from '../../lib/request-id.ts';
import { isDependencyUnavailable } from '../infra/dependency-errors.ts';
import type { CellServices } from '../services.ts';
import type { CellApiOptions, CellEnv } from './env.ts';
import { mapCellDomainError } from './error-mapping.ts';
import { perUserRateLimit } from './middleware/rate-limit.ts';
import { requireRouterIdentity } from './middleware/router-identity.ts';
import { enforceUserState } from './middleware/user-state.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { applicationRoutes } from './routes/applications.ts';
import { channelRoutes } from './routes/channels.ts';
import { eventRoutes } from './routes/events.ts';
import { exportRoutes } from './routes/export.ts';
import { healthRoutes } from './routes/health.ts';
import { internalUserBatchRoutes } from './routes/internal-user-batches.ts';
import { internalUserRoutes } from './routes/internal-users.ts';
import { jobSourceRoutes } from './routes/job-sources.ts';
import { jobRoutes } from './routes/jobs.ts';
import { meRoutes } from './routes/me.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { profileRoutes } from './routes/profile.ts';

const USER_DATA_PATH = /^\/internal\/v1\/(?:users\/[^/]+|user-batches)\/data$/;

export function createApp(services: CellServices, options: CellApiOptions) {
  const app = new Hono<CellEnv>();
  app.use(requestContext(services.logger));
  app.use(async (c, next) => {
    c.set('services', services);
    c.header('x-cell-id', services.cellId);
    await next();
    setResponseHeader(c, 'x-cell-id', services.cellId);
  });
  app.use(services.metrics.httpMiddleware);
  const limitOf = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError('payload_too_large', `Request body exceeds ${maxSize} bytes`);
      },
    });
  const requestLimit = limitOf(options.bodyLimitBytes);
  // A user's dump carries their PDFs (a batch, several users'): far over a request's limit.
  const dumpLimit = limitOf(options.userDataBodyLimitBytes ?? 256 * 1024 * 1024);
  app.use((c, next) =>
    (c.req.method === 'PUT' && USER_DATA_PATH.test(c.req.path) ? dumpLimit : requestLimit)(c, next),
  );

  const identity = requireRouterIdentity({
    secret: options.routerSecret,
    cellId: services.cellId,
    maxAgeMs: options.signatureMaxAgeMs,
  });
  app.use('/v1/*', identity);
  app.use('/internal/*', identity);
  // A data store known to be down: answer now, not after the driver's reconnect attempts.
  const breakerGate = createMiddleware(async (_c, next) => {
    if (services.breaker.open) {
      throw new ApiError('service_unavailable', "This cell's database or Redis is unavailable", {
        headers: { 'retry-after': '1', [DEPENDENCY_DOWN_HEADER]: '1' },
      });
    }
    await next();
  });
  app.use('/v1/*', breakerGate);
  app.use('/internal/*', breakerGate);
  // Interactive answers get REQUEST_TIMEOUT_MS; the account export, a bulk download, its own.
  const interactiveDeadline = requestDeadline(options.requestTimeoutMs ?? 5_000);
  const exportDeadline = requestDeadline(options.exportTimeoutMs ?? 25_000);
  app.use('/v1/*', (c, next) =>
    c.req.path === '/v1/export' ? exportDeadline(c, next) : interactiveDeadline(c, next),
  );
  app.use('/v1/*', perUserRateLimit({ limit: options.rateLimitPerMinute ?? 120 }));
  app.use('/v1/*', enforceUserState({ writeTtlMs: (options.requestTimeoutMs ?? 5_000) + 5_000 }));
  // Every successful GET carries an ETag (its own, or a hash of the body); a request whose
  // If-None-Match names it is answered 304 without the body: the web app's polls cost no payload.
  app.use('/v1/*', etag());

  app.route('/health', healthRoutes);
  app.get('/metrics', (c) => services.metrics.handler(c));
  app.route('/v1/me', meRoutes);
  app.route('/v1/profile', profileRoutes);
  app.route('/v1/job-sources', jobSourceRoutes);
  app.route('/v1/jobs', jobRoutes);
  app.route('/v1/events', eventRoutes);
  app.route('/v1/applications', applicationRoutes);
  app.route('/v1/analytics', analyticsRoutes);
  app.route('/v1/notifications', notificationRoutes);
  app.route('/v1/channels', channelRoutes);
  app.route('/v1/export', exportRoutes);
  app.route('/internal/v1/users', internalUserRoutes);
  app.route('/internal/v1/user-batches', internalUserBatchRoutes);

  app.notFound(notFoundHandler);
  app.onError(
    createErrorHandler(services.logger, (error) => {
      if (isDependencyUnavailable(error)) services.breaker.trip(error);
      return mapCellDomainError(error);
    }),
  );
  return app;
}

export type CellApp = ReturnType<typeof createApp>;
