/**
 * The one error contract of the platform: a closed set of codes, one status per
 * code, one `ApiError`, and one Hono `onError` that turns anything thrown into
 * `{"error": {"code", "message", "requestId", "details"}}`.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from './logger.ts';

/** Every error code the platform may return, mapped to its HTTP status. */
export const ERROR_STATUS = {
  bad_request: 400,
  request_timeout: 408,
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  budget_exceeded: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  already_exists: 409,
  already_applied: 409,
  already_approved: 409,
  invalid_state: 409,
  user_moved: 409,
  user_busy: 409,
  migration_running: 409,
  cell_not_empty: 409,
  nothing_to_cancel: 409,
  already_on_cell: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  misdirected_request: 421,
  unprocessable: 422,
  verification_failed: 422,
  channel_not_configured: 422,
  rate_limited: 429,
  overloaded: 429,
  internal_error: 500,
  upstream_error: 502,
  cell_unavailable: 503,
  cell_draining: 503,
  service_unavailable: 503,
  user_migrating: 503,
  cell_timeout: 504,
  timeout: 504,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: unknown };
}

export interface ApiErrorOptions {
  details?: unknown;
  /** Response headers to add, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  details?: unknown,
): ErrorBody {
  return { error: { code, message, requestId, ...(details === undefined ? {} : { details }) } };
}

function requestIdOf(c: Context): string {
  const fromContext = c.get('requestId' as never) as string | undefined;
  return fromContext ?? c.req.header('x-request-id') ?? 'unknown';
}

/** Writes an error response in the one format. */
export function errorResponse(c: Context, error: ApiError): Response {
  const requestId = requestIdOf(c);
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  c.header('x-request-id', requestId);
  return c.json(errorBody(error.code, error.message, requestId, error.details), error.status);
}

function codeForHttpStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    case 503:
      return 'service_unavailable';
    case 504:
      return 'timeout';
    default:
      return status >= 500 ? 'internal_error' : 'bad_request';
  }
}

/**
 * Postgres refused a character of the request's text: U+0000 in text or JSON
 * (22021, 22P05), or a lone surrogate escaped in JSON (22P02 naming Unicode).
 * Any route that stores or looks up what it is sent can meet these (a login
 * whose email holds U+0000, a profile that does); they are the client's
 * input, never a server fault: `400 validation_failed`.
 */
export function unstorableTextError(error: unknown): ApiError | undefined {
  const { code, message, detail } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
    detail?: unknown;
  };
  const unstorable =
    code === '22021' ||
    code === '22P05' ||
    (code === '22P02' && /unicode|surrogate/i.test(`${String(message)} ${String(detail)}`));
  if (!unstorable) return undefined;
  const problem = 'contains a character that cannot be stored (U+0000 or a lone surrogate)';
  return new ApiError('validation_failed', `The request ${problem}`, {
    details: { problems: [{ pointer: '', message: problem }] },
  });
}

/**
 * Maps domain errors to `ApiError`. Each process passes its own mapper so that
 * domain errors stay free of HTTP knowledge.
 */
export type DomainErrorMapper = (error: unknown) => ApiError | undefined;

/** The single `onError`: our error, Hono's `HTTPException`, or unknown (logged, opaque 500). */
export function createErrorHandler(
  logger: Logger,
  mapDomainError?: DomainErrorMapper,
): ErrorHandler {
  return (error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    const mapped = mapDomainError?.(error);
    if (mapped) return errorResponse(c, mapped);
    if (error instanceof HTTPException) {
      const code = codeForHttpStatus(error.status);
      const message = error.message || code.replaceAll('_', ' ');
      if (error.status >= 500) logger.error({ err: error, requestId: requestIdOf(c) }, message);
      return errorResponse(c, new ApiError(code, message));
    }
    logger.error({ err: error, requestId: requestIdOf(c) }, 'unhandled error');
    return errorResponse(c, new ApiError('internal_error', 'Internal error'));
  };
}

export const notFoundHandler: NotFoundHandler = (c) =>
  errorResponse(c, new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}`));
