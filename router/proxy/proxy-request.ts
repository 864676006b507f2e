/**
 * One proxied request on node's request and response: authenticate the bearer
 * token, find the user's cell, refuse fast when that cell cannot serve, else
 * stream to it (`CellProxy`).
 *
 * router/listener.ts calls `proxyRequest` directly for plain `/v1/…` targets,
 * in front of Hono; routes/proxy-routes.ts is the Hono route for the targets
 * Hono normalises first (percent-encoding, dot segments, absolute form), so
 * both ways run the same code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errorBody } from '../../lib/errors.ts';
import type { RouterServices } from '../services.ts';
import type { ForwardListener, ProxyTarget } from './cell-proxy.ts';
import { resolveProxyRequestId } from './request-ids.ts';

const BEARER = /^Bearer\s+(\S+)$/i;

/** The token of an `Authorization: Bearer …` header, or `401 unauthorized`. */
export function bearerToken(header: string | undefined): string {
  if (!header)
    throw new ApiError('unauthorized', 'Missing bearer token', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  const match = BEARER.exec(header);
  if (!match?.[1]) {
    throw new ApiError('unauthorized', 'Malformed authorization header', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  return match[1];
}

function toApiError(services: RouterServices, error: unknown, requestId: string): ApiError {
  if (error instanceof ApiError) return error;
  const mapped = services.mapError(error);
  if (mapped) return mapped;
  services.logger.error({ err: error, requestId }, 'unhandled error');
  return new ApiError('internal_error', 'Internal error');
}

/** The one error format of lib/errors.ts, written straight to node's response. */
function writeError(res: ServerResponse, error: ApiError, requestId: string): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(error.code, error.message, requestId, error.details));
  res.writeHead(error.status, {
    ...error.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  });
  res.end(body);
}

/**
 * One proxied request from its known user on: where it goes (the {@link ProxyTarget} the
 * proxy reads and updates) and how it ends (the {@link ForwardListener} the proxy tells),
 * in one object instead of an async function, a promise and their closures.
 */
class ProxyExchange implements ProxyTarget, ForwardListener {
  userId = '';
  cellId = 'none';
  /** When the user was known (`performance.now()`); refused tokens are not a cell's traffic. */
  #started = -1;
  #settled = false;

  constructor(
    private readonly services: RouterServices,
    private readonly res: ServerResponse,
    readonly requestId: string,
    private readonly done: (() => void) | undefined,
  ) {}

  /** Sends the request of a known user to the cell that serves them now. */
  authenticated(req: IncomingMessage, path: string, userId: string): void {
    this.userId = userId;
    this.#started = performance.now();
    try {
      const found = this.services.gate.servingCell(userId, req.method ?? 'GET');
      if (found instanceof Promise) {
        found.then(
          (cell) => this.#forward(req, path, cell.id),
          (error: unknown) => this.refused(error),
        );
      } else {
        this.#forward(req, path, found.id);
      }
    } catch (error) {
      this.refused(error);
    }
  }

  #forward(req: IncomingMessage, path: string, cellId: string): void {
    this.cellId = cellId;
    try {
      this.services.proxy.forward(req, this.res, path, this, this);
    } catch (error) {
      this.refused(error);
    }
  }

  headWritten(status: number): void {
    this.#settle(status);
  }

  /**
   * Answers in the one error format (or drops a connection whose answer had begun). Never
   * throws: it also runs in promise callbacks, where a throw would be an unhandled rejection.
   */
  refused(error: unknown): void {
    if (this.#settled) return;
    let status = 500;
    try {
      const apiError = toApiError(this.services, error, this.requestId);
      status = apiError.status;
      // A cell that refused before any proxying (down, migrating) names itself on the error.
      const refusedBy = (error as { cellId?: string } | null)?.cellId;
      if (refusedBy && this.cellId === 'none') this.cellId = refusedBy;
      writeError(this.res, apiError, this.requestId);
    } catch (failure) {
      this.services.logger.error({ err: failure, requestId: this.requestId }, 'proxy failed');
      this.res.destroy();
    }
    this.#settle(status);
  }

  #settle(status: number): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#started >= 0) {
      this.services.metrics.observe(
        this.cellId,
        status,
        (performance.now() - this.#started) / 1000,
      );
    }
    this.done?.();
  }
}

/**
 * Answers one proxied request on node's request and response: 401 without a valid token,
 * 503 when the user's cell cannot serve, else the cell's answer. Never throws; `done` is
 * called once the answer's head is written (its body may still be streaming).
 */
export function proxyRequest(
  services: RouterServices,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  requestId = resolveProxyRequestId(req.headers['x-request-id'] as string | undefined),
  done?: () => void,
): void {
  const exchange = new ProxyExchange(services, res, requestId, done);
  try {
    const authorization = req.headers.authorization;
    // Nearly every request: `Bearer <a token verified before>`, taken without the regex.
    const known = authorization?.startsWith('Bearer ')
      ? services.tokens.cachedSubject(authorization.slice(7))
      : undefined;
    if (known !== undefined) {
      exchange.authenticated(req, path, known);
      return;
    }
    services.tokens.verify(bearerToken(authorization)).then(
      (userId) => exchange.authenticated(req, path, userId),
      (error: unknown) => exchange.refused(error),
    );
  } catch (error) {
    exchange.refused(error);
  }
}
