import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { ApiError, createErrorHandler, ERROR_STATUS, notFoundHandler } from './errors.ts';
import { createLogger } from './logger.ts';
import { requestContext } from './request-id.ts';

const logger = createLogger({ service: 'test', level: 'silent' });

function appThrowing(error: unknown) {
  const app = new Hono();
  app.use(requestContext(logger));
  app.get('/boom', () => {
    throw error;
  });
  app.notFound(notFoundHandler);
  app.onError(createErrorHandler(logger));
  return app;
}

describe('error contract', () => {
  it('gives every code a 4xx or 5xx status written as snake_case', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it('renders an ApiError with its status, headers, details and the request id', async () => {
    const app = appThrowing(
      new ApiError('rate_limited', 'Slow down', {
        headers: { 'retry-after': '7' },
        details: { limit: 120 },
      }),
    );
    const res = await app.request('/boom', { headers: { 'x-request-id': 'client-req-0001' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({
      error: {
        code: 'rate_limited',
        message: 'Slow down',
        requestId: 'client-req-0001',
        details: { limit: 120 },
      },
    });
  });

  it('maps an HTTPException to the closed enum', async () => {
    const res = await appThrowing(new HTTPException(413, { message: 'too big' })).request('/boom');
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );
  });

  it('hides unknown errors behind an opaque 500 with the request id', async () => {
    const res = await appThrowing(new Error('secret stack detail')).request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret stack detail');
    const body = JSON.parse(text) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('internal_error');
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('answers unknown routes with 404 not_found', async () => {
    const res = await appThrowing(new Error()).request('/missing');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('replaces a malformed client request id with a fresh one', async () => {
    const res = await appThrowing(new Error()).request('/missing', {
      headers: { 'x-request-id': 'bad id!' },
    });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
