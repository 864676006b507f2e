/**
 * `/v1/*` except auth: authenticate the bearer token, find the user's cell,
 * refuse fast when that cell cannot serve, else stream to it.
 *
 * `proxyRequest` works on node's request and response. router/listener.ts
 * calls it directly for plain `/v1/…` targets, in front of Hono; `proxyRoutes`
 * is the Hono route for the targets Hono normalises first (percent-encoding,
 * dot segments, absolute form), so both ways run the same code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { ApiError, errorBody } from '../../lib/errors.ts';
import type { RouterEnv } from '../env.ts';
import type { ProxyTarget } from '../proxy/cell-proxy.ts';
import { resolveProxyRequestId } from '../proxy/request-ids.ts';
import type { RouterServices } from '../services.ts';

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
 * Answers one proxied request on node's request and response: 401 without a valid token,
 * 503 when the user's cell cannot serve, else the cell's answer. Never rejects.
 */
export async function proxyRequest(
  services: RouterServices,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  requestId = resolveProxyRequestId(req.headers['x-request-id'] as string | undefined),
): Promise<void> {
  let started: number | undefined;
  let target: ProxyTarget | undefined;
  let refusedBy: string | undefined;
  let status = 500;
  try {
    const authorization = req.headers.authorization;
    // Nearly every request: `Bearer <a token verified before>`, taken without the regex.
    const known = authorization?.startsWith('Bearer ')
      ? services.tokens.cachedSubject(authorization.slice(7))
      : undefined;
    const userId = known ?? (await services.tokens.verify(bearerToken(authorization)));
    started = performance.now();
    const found = services.gate.servingCell(userId, req.method ?? 'GET');
    const cell = found instanceof Promise ? await found : found;
    // A read that follows its user to a new cell leaves that cell here (`forward`).
    target = { userId, cellId: cell.id, requestId };
    status = await services.proxy.forward(req, res, path, target);
  } catch (error) {
    const apiError = toApiError(services, error, requestId);
    status = apiError.status;
    refusedBy = (error as { cellId?: string }).cellId;
    writeError(res, apiError, requestId);
  } finally {
    // Refused tokens are not a cell's traffic: counted from a known user on.
    if (started !== undefined) {
      const cellId = target?.cellId ?? refusedBy ?? 'none';
      services.metrics.observe(cellId, status, (performance.now() - started) / 1000);
    }
  }
}

export const proxyRoutes = new Hono<RouterEnv>().all('/*', async (c) => {
  const { incoming, outgoing } = c.env ?? {};
  if (!incoming || !outgoing) throw new Error('the proxy needs a node server (@hono/node-server)');
  const url = c.req.url;
  const path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  await proxyRequest(c.get('services'), incoming, outgoing, path, c.get('requestId'));
  return RESPONSE_ALREADY_SENT;
});
