/** Listens on node:http and closes gracefully, draining in-flight requests. */
import { createServer, type RequestListener, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { ErrorBody } from './errors.ts';
import { newId } from './ids.ts';

export interface RunningServer {
  port: number;
  url: string;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

export interface ListenOptions {
  port: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
}

/**
 * Answers what node:http refuses before any handler runs (a request line or
 * headers over the limit, malformed HTTP, a request that timed out) in the one
 * error format, rather than node's bodiless default.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message]: [number, ErrorBody['error']['code'], string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'The request line or headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'The request was not received in time']
        : [400, 'bad_request', 'Malformed HTTP request'];
  const body = JSON.stringify({ error: { code, message, requestId: newId() } } satisfies ErrorBody);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Serves a plain node request listener (for processes with a fast path in front of Hono). */
export function listenNode(
  listener: RequestListener,
  options: ListenOptions,
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(listener);
  server.on('clientError', answerClientError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Idle keep-alive sockets would otherwise hold close() open until they time out.
            server.closeIdleConnections();
          }),
      });
    });
  });
}

/** Serves a Hono app. */
// biome-ignore lint/suspicious/noExplicitAny: any Hono app, whatever its Env
export function listen(app: Hono<any>, options: ListenOptions): Promise<RunningServer> {
  return listenNode(
    getRequestListener(app.fetch, { hostname: options.host ?? '127.0.0.1' }),
    options,
  );
}
