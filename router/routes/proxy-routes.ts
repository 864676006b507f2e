/**
 * `/v1/*` except auth: authenticate the bearer token, find the user's cell,
 * refuse fast when that cell cannot serve, else stream to it.
 */
import { Hono } from 'hono';
import { ApiError } from '../../lib/errors.ts';
import type { RouterEnv } from '../env.ts';

function bearerToken(header: string | undefined): string {
  if (!header)
    throw new ApiError('unauthorized', 'Missing bearer token', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) {
    throw new ApiError('unauthorized', 'Malformed authorization header', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  return match[1];
}

export const proxyRoutes = new Hono<RouterEnv>().all('/*', async (c) => {
  const services = c.get('services');
  const userId = await services.tokens.verify(bearerToken(c.req.header('authorization')));
  const started = performance.now();
  let cellId = 'none';
  let status = 500;
  try {
    const cell = services.gate.servingCell(userId);
    cellId = cell.id;
    const response = await services.proxy.forward(c, {
      userId,
      cellId,
      requestId: c.get('requestId'),
    });
    status = c.env?.outgoing?.headersSent ? c.env.outgoing.statusCode : response.status;
    return response;
  } catch (error) {
    status = services.errorStatus(error);
    if (cellId === 'none') cellId = (error as { cellId?: string }).cellId ?? 'none';
    throw error;
  } finally {
    services.metrics.observe(cellId, status, (performance.now() - started) / 1000);
  }
});
