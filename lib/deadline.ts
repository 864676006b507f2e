/**
 * A deadline per request: when a handler is stuck on a dependency (a dead
 * database whose driver is still reconnecting), the client gets a clean 503
 * with `Retry-After` instead of a hang. The handler's work is not cancelled.
 */
import { createMiddleware } from 'hono/factory';
import { ApiError } from './errors.ts';

export function requestDeadline(ms: number, retryAfterSeconds = 1) {
  return createMiddleware(async (_c, next) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        next(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new ApiError('service_unavailable', `No answer within ${ms} ms`, {
                  headers: { 'retry-after': String(retryAfterSeconds) },
                }),
              ),
            ms,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  });
}
