import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { bodyLimit, setResponseHeader } from './http-headers.ts';

function app() {
  const hono = new Hono();
  hono.use(async (c, next) => {
    await next();
    setResponseHeader(c, 'x-after', 'set');
  });
  hono.use(bodyLimit({ maxSize: 8, onError: (c) => c.json({ error: 'too large' }, 413) }));
  hono.post('/echo', async (c) => c.text(await c.req.text()));
  hono.get('/upstream', () => Response.redirect('http://example.test/', 302));
  return hono;
}

function chunked(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const char of text) controller.enqueue(new TextEncoder().encode(char));
      controller.close();
    },
  });
}

describe('bodyLimit', () => {
  it('passes a body within the limit', async () => {
    const res = await app().request('/echo', {
      method: 'POST',
      body: '12345678',
      headers: { 'content-length': '8' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('12345678');
  });

  it('refuses a body whose Content-Length passes the limit, unread', async () => {
    const res = await app().request('/echo', {
      method: 'POST',
      body: '123456789',
      headers: { 'content-length': '9' },
    });
    expect(res.status).toBe(413);
  });

  it('counts a chunked body as it is read', async () => {
    const send = (text: string) =>
      app().request('/echo', {
        method: 'POST',
        body: chunked(text),
        headers: { 'transfer-encoding': 'chunked' },
        duplex: 'half',
      } as RequestInit);
    expect((await send('123456789')).status).toBe(413);
    const ok = await send('1234');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1234');
  });
});

describe('setResponseHeader', () => {
  it('sets a header on a finished response', async () => {
    const res = await app().request('/echo', {
      method: 'POST',
      body: 'hi',
      headers: { 'content-length': '2' },
    });
    expect(res.headers.get('x-after')).toBe('set');
    expect(await res.text()).toBe('hi');
  });

  it('copies a response whose headers are immutable', async () => {
    const res = await app().request('/upstream');
    expect(res.status).toBe(302);
    expect(res.headers.get('x-after')).toBe('set');
  });
});
