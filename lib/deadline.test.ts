import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestDeadline } from './deadline.ts';
import { createErrorHandler } from './errors.ts';
import { createLogger } from './logger.ts';

function appWithHandlerTaking(ms: number) {
  const app = new Hono();
  app.use(requestDeadline(50, 2));
  app.get('/', async (c) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return c.text('done');
  });
  app.onError(createErrorHandler(createLogger({ service: 'test', level: 'silent' })));
  return app;
}

describe('requestDeadline', () => {
  it('answers a stuck request with 503 service_unavailable and Retry-After', async () => {
    const res = await appWithHandlerTaking(1_000).request('/');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'service_unavailable',
    );
  });

  it('lets a request that finishes in time through', async () => {
    const res = await appWithHandlerTaking(1).request('/');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('done');
  });
});
