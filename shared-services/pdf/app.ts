/**
 * The PDF service's Hono app: `createApp(services)` wires the request context,
 * metrics, the body limit and the routes; `server.ts` only listens.
 */
import { Hono } from 'hono';
import { ApiError, createErrorHandler, notFoundHandler } from '../../lib/errors.ts';
import { bodyLimit } from '../../lib/http-headers.ts';
import { requestContext } from '../../lib/request-id.ts';
import type { PdfEnv } from './env.ts';
import { mapPdfError } from './errors.ts';
import { healthRoutes } from './routes/health.ts';
import { renderRoutes } from './routes/render.ts';
import { templateRoutes } from './routes/templates.ts';
import type { PdfServices } from './services.ts';

export type { PdfEnv } from './env.ts';

export function createApp(services: PdfServices): Hono<PdfEnv> {
  const app = new Hono<PdfEnv>();
  app.use(requestContext(services.logger));
  app.use(services.metrics.httpMiddleware);
  app.use(async (c, next) => {
    c.set('services', services);
    await next();
  });
  app.onError(createErrorHandler(services.logger, mapPdfError));
  app.notFound(notFoundHandler);

  app.use(
    '/v1/render',
    bodyLimit({
      maxSize: services.config.maxBodyBytes,
      onError: () => {
        throw new ApiError(
          'payload_too_large',
          `Request body exceeds ${services.config.maxBodyBytes} bytes`,
          { details: { maxBytes: services.config.maxBodyBytes } },
        );
      },
    }),
  );
  app.route('/health', healthRoutes);
  app.get('/metrics', services.metrics.handler);
  app.route('/v1', renderRoutes);
  app.route('/v1', templateRoutes);
  return app;
}
