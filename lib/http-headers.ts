/**
 * Response headers and body limits that keep @hono/node-server on its fast
 * path. Its requests and responses are lightweight objects that become real
 * undici `Request`/`Response` objects (with web streams, an `AbortSignal`
 * and finalization tracking) only when something asks for their body.
 * V8 keeps those through young-generation collections, so asking for them on
 * every request promoted each request's objects to the old generation and
 * lengthened every scavenge (found in the AI optimizer with a heap sampling
 * profile; see docs/reference/ai-optimizer.md).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as streamingBodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';

/**
 * Sets a header on the response a handler already returned. Hono's
 * `c.header()` copies a finished response into a new one (with a stream
 * body) first; the headers of a response the app built are mutable, so they
 * are set in place. A response with immutable headers (one that came from
 * `fetch()`) still goes through `c.header()`.
 */
export function setResponseHeader(c: Context, name: string, value: string): void {
  if (!c.finalized) {
    c.header(name, value);
    return;
  }
  try {
    c.res.headers.set(name, value);
  } catch {
    c.header(name, value);
  }
}

export interface BodyLimitOptions {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}

/**
 * Hono's `bodyLimit`, judging a body with a `Content-Length` (and no
 * `Transfer-Encoding`) by that header alone, as Hono does, but without asking
 * for the body stream first. A GET or HEAD carries no body. Any other body
 * (chunked, or HTTP/2 without a length) is counted as it is read, by Hono's
 * middleware.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler {
  const streaming = streamingBodyLimit(options);
  return createMiddleware(async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > options.maxSize) return options.onError(c);
      await next();
      return;
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      await next();
      return;
    }
    return streaming(c, next);
  });
}

/**
 * Set by a cell on its `503 service_unavailable` when its Postgres or Redis is
 * down; the router counts such answers for passive health.
 */
export const DEPENDENCY_DOWN_HEADER = 'x-cell-dependency-down';
