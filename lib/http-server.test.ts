import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenNode, type RunningServer } from './http-server.ts';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Sends raw bytes and returns the raw answer (the server closes the connection). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parse(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), head, body: JSON.parse(body) };
}

describe('what node:http refuses before any handler', () => {
  it('answers headers over the limit with 431 in the one error format', async () => {
    server = await listenNode((_req, res) => res.end('ok'), { port: 0 });
    const answer = parse(
      await raw(server.port, `GET /v1/me?q=${'a'.repeat(20_000)} HTTP/1.1\r\nhost: x\r\n\r\n`),
    );
    expect(answer.status).toBe(431);
    expect(answer.head).toMatch(/content-type: application\/json/);
    expect(answer.body.error).toMatchObject({
      code: 'headers_too_large',
      message: expect.any(String),
    });
    expect(answer.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers malformed HTTP with 400 bad_request in the one error format', async () => {
    server = await listenNode((_req, res) => res.end('ok'), { port: 0 });
    const answer = parse(await raw(server.port, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('bad_request');
  });
});
