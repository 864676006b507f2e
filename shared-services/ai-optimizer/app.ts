/**
 * The AI optimizer's HTTP app: task routes, the cost ledger, health and
 * metrics. `createApp(services)` builds it; `server.ts` listens.
 */
import { Hono } from 'hono';
import {
  ApiError,
  createErrorHandler,
  type DomainErrorMapper,
  errorResponse,
  notFoundHandler,
} from '../../lib/errors.ts';
import { readinessResponse } from '../../lib/health.ts';
import { bodyLimit, setResponseHeader } from '../../lib/http-headers.ts';
import { type RequestContextVariables, requestContext } from '../../lib/request-id.ts';
import { AllProvidersFailedError, BudgetExceededError } from './domain/errors.ts';
import { StageTimer } from './domain/stage-timer.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { taskRoutes } from './routes/tasks.ts';
import type { AiOptimizerServices } from './services.ts';

export interface AiEnv {
  Variables: RequestContextVariables & { services: AiOptimizerServices; timer: StageTimer };
}

/** Largest request body: a big JSON Resume plus a long posting fit well under it. */
const MAX_BODY_BYTES = 1024 * 1024;

export const mapDomainError: DomainErrorMapper = (error) => {
  if (error instanceof BudgetExceededError) {
    const retryAfter = Math.max(1, Math.ceil((error.resetAt.getTime() - Date.now()) / 1000));
    return new ApiError('budget_exceeded', error.message, {
      details: {
        scope: error.scope,
        limitUsd: error.limitUsd,
        spentUsd: error.spentUsd,
        resetAt: error.resetAt.toISOString(),
      },
      headers: { 'retry-after': String(retryAfter) },
    });
  }
  if (error instanceof AllProvidersFailedError)
    return new ApiError('upstream_error', error.message, { details: { failures: error.failures } });
  return undefined;
};

export function createApp(services: AiOptimizerServices): Hono<AiEnv> {
  const app = new Hono<AiEnv>();
  // First, so `total` covers every middleware and the handler of a task request.
  app.use('/v1/tasks/*', async (c, next) => {
    const timer = new StageTimer();
    c.set('timer', timer);
    await next();
    setResponseHeader(c, 'server-timing', timer.header());
  });
  app.use('*', requestContext(services.logger));
  app.use('*', async (c, next) => {
    c.set('services', services);
    await next();
  });
  app.use('*', services.metrics.httpMiddleware);
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        errorResponse(
          c,
          new ApiError('payload_too_large', `Body larger than ${MAX_BODY_BYTES} bytes`),
        ),
    }),
  );
  app.get('/health/live', (c) => c.json({ status: 'live' }));
  app.get('/health/ready', (c) =>
    readinessResponse(
      c,
      {
        redis: async () => {
          await services.redis.ping();
          return undefined;
        },
      },
      {
        providers: services.catalog.map((e) => ({
          provider: e.provider,
          model: e.model,
          breaker: services.chain.breakerState(e.provider),
        })),
      },
    ),
  );
  app.get('/metrics', (c) => services.metrics.handler(c));
  app.route('/v1/tasks', taskRoutes);
  app.route('/v1/ledger', ledgerRoutes);
  app.notFound(notFoundHandler);
  app.onError(createErrorHandler(services.logger, mapDomainError));
  return app;
}
