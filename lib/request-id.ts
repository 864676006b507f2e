/**
 * Request ids: keep a client's id when it is well-formed, otherwise mint a
 * UUIDv7. The id is echoed on every response and bound to the request logger.
 */
import { createMiddleware } from 'hono/factory';
import { setResponseHeader } from './http-headers.ts';
import { newId } from './ids.ts';
import type { Logger } from './logger.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function isValidRequestId(value: string | undefined | null): value is string {
  return typeof value === 'string' && VALID_REQUEST_ID.test(value);
}

export function resolveRequestId(incoming: string | undefined | null): string {
  return isValidRequestId(incoming) ? incoming : newId();
}

export interface RequestContextVariables {
  requestId: string;
  logger: Logger;
}

/** Sets `requestId` and a child `logger` on the context, and the response header. */
export function requestContext(logger: Logger) {
  return createMiddleware<{ Variables: RequestContextVariables }>(async (c, next) => {
    const requestId = resolveRequestId(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', requestId);
    c.set('logger', logger.child({ requestId }));
    c.header(REQUEST_ID_HEADER, requestId);
    await next();
    setResponseHeader(c, REQUEST_ID_HEADER, requestId);
  });
}
