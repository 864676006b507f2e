/** Listens on node:http and closes gracefully, draining in-flight requests. */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';

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

/** Serves a plain node request listener (for processes with a fast path in front of Hono). */
export function listenNode(
  listener: RequestListener,
  options: ListenOptions,
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(listener);
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
