import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFetch } from './provider-fetch.ts';

let server: Server;
let base: string;
const received: {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/empty') {
        res.writeHead(204).end();
      } else if (req.url === '/moved') {
        res.writeHead(307, { location: '/echo' }).end();
      } else if (req.url === '/stall') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":'); // and never the rest
      } else {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
        res.end(JSON.stringify({ echoed: body }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('requestFetch', () => {
  const fetchLike = requestFetch();

  it('sends method, headers and body, and answers with status, headers and body', async () => {
    const response = await fetchLike(`${base}/echo`, {
      method: 'post',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: '{"q":1}',
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ echoed: '{"q":1}' });
    const request = received.at(-1);
    expect(request).toMatchObject({ method: 'POST', url: '/echo', body: '{"q":1}' });
    expect(request?.headers.authorization).toBe('Bearer sk-test');
  });

  it('answers a 204 with no body', async () => {
    const response = await fetchLike(new URL(`${base}/empty`));
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('follows a redirect with the body, as fetch does', async () => {
    const response = await fetchLike(`${base}/moved`, { method: 'POST', body: 'again' });
    expect(await response.json()).toEqual({ echoed: 'again' });
    expect(received.at(-1)).toMatchObject({ url: '/echo', body: 'again' });
  });

  it('aborts a body that stops arriving when the signal fires', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(fetchLike(`${base}/stall`, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('hands a body it cannot send as is to the standard fetch', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const response = await fetchLike(`${base}/echo`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(await response.json()).toEqual({ echoed: 'streamed' });
  });
});
