/**
 * A stand-in for one of OUR cells in router tests and benchmarks: a real HTTP
 * server that checks the router signature with lib/router-signature.ts the way
 * a cell does, answers `/health/ready`, initialises users, and offers a few
 * `/v1` endpoints (echo, slow, big download, upload) to exercise the proxy.
 * It can be stopped and restarted on the same port to play a dead cell.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEPENDENCY_DOWN_HEADER } from '../../lib/http-headers.ts';
import { verifyIdentity } from '../../lib/router-signature.ts';

export interface FakeCellOptions {
  id: string;
  secret: string;
  port?: number;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export class FakeCell {
  readonly id: string;
  port = 0;
  /** `/health/ready` answers 200 when true, 503 otherwise. */
  ready = true;
  /** Users tombstoned here: their `/v1` requests answer `409 user_moved`, as a real cell's do. */
  readonly moved = new Map<string, string>();
  /** `/v1` requests answer `503 service_unavailable` with `x-cell-dependency-down`, as a real cell's breaker does. */
  dependencyDown = false;
  /** Status the user-initialisation endpoint answers with. */
  initStatus = 201;
  readonly users = new Map<string, { email: string; name: string }>();
  readonly seen: SeenRequest[] = [];
  /** `/v1/slow` requests whose connection closed before the answer was sent. */
  abandoned = 0;
  /** Bytes the big-download endpoint has written so far, for streaming assertions. */
  bigBytesWritten = 0;
  #held: (() => void)[] = [];
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(private readonly options: FakeCellOptions) {
    this.id = options.id;
    this.port = options.port ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => this.#handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Closes the port and every open connection, like a killed process. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Lets every `/v1/big?hold=1` response that wrote its first chunk finish. */
  releaseHeld(): void {
    for (const release of this.#held.splice(0)) release();
  }

  #verify(req: IncomingMessage): string | undefined {
    const userId = req.headers['x-user-id'] as string | undefined;
    const result = verifyIdentity(
      this.options.secret,
      {
        userId,
        requestId: req.headers['x-request-id'] as string | undefined,
        cellId: req.headers['x-cell-id'] as string | undefined,
      },
      req.headers['x-router-signature'] as string | undefined,
    );
    if (!result.ok || req.headers['x-cell-id'] !== this.id) return undefined;
    return userId;
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://cell');
    if (url.pathname === '/health/ready') {
      req.resume();
      return this.ready
        ? this.#json(res, 200, { status: 'ready', failing: [] })
        : this.#json(res, 503, { status: 'not_ready', failing: ['postgres'] });
    }
    this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const userId = this.#verify(req);
    if (!userId) {
      req.resume();
      return this.#json(res, 401, { error: { code: 'unauthorized', message: 'bad signature' } });
    }
    if (this.dependencyDown && url.pathname.startsWith('/v1/')) {
      req.resume();
      res.setHeader(DEPENDENCY_DOWN_HEADER, '1');
      res.setHeader('retry-after', '1');
      return this.#json(res, 503, {
        error: { code: 'service_unavailable', message: 'database down', requestId: 'x' },
      });
    }
    const movedTo = this.moved.get(userId);
    if (movedTo && url.pathname.startsWith('/v1/')) {
      req.resume();
      return this.#json(res, 409, {
        error: { code: 'user_moved', message: 'moved', requestId: 'x', details: { movedTo } },
      });
    }
    const initMatch = /^\/internal\/v1\/users\/([^/]+)$/.exec(url.pathname);
    if (initMatch && req.method === 'PUT') {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as {
        email: string;
        name: string;
      };
      if (initMatch[1] !== userId) return this.#json(res, 403, { error: 'user mismatch' });
      if (this.initStatus >= 200 && this.initStatus < 300) this.users.set(userId, body);
      return this.#json(res, this.initStatus, { id: userId });
    }
    switch (url.pathname) {
      case '/v1/echo': {
        const body = await readBody(req);
        return this.#json(res, 200, {
          cell: this.id,
          userId,
          method: req.method,
          path: url.pathname,
          query: url.search,
          headers: req.headers,
          bodyBytes: body.length,
        });
      }
      case '/v1/ping':
        req.resume();
        return this.#json(res, 200, { ok: true, cell: this.id });
      case '/v1/mixed-case-headers':
        // Header names as a careless cell might spell them: the router must still filter them.
        req.resume();
        res.writeHead(200, [
          'Content-Type',
          'application/json',
          'X-Custom',
          'kept',
          'Set-Cookie',
          'a=1',
          'Set-Cookie',
          'b=2',
          'Connection',
          'keep-alive, X-Hop-Out',
          'X-Hop-Out',
          '1',
          'X-Cell-Id',
          'spoofed',
          'X-Request-Id',
          'spoofed',
          'X-Router-Signature',
          'spoofed',
        ]);
        res.end('{}');
        return;
      case '/v1/slow': {
        req.resume();
        const ms = Number(url.searchParams.get('ms') ?? 1000);
        const timer = setTimeout(() => this.#json(res, 200, { slow: true }), ms);
        res.on('close', () => {
          clearTimeout(timer);
          if (!res.writableEnded) this.abandoned++;
        });
        return;
      }
      case '/v1/big': {
        req.resume();
        const total = Number(url.searchParams.get('bytes') ?? 5 * 1024 * 1024);
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': total });
        const chunk = Buffer.alloc(64 * 1024, 0x41);
        let sent = 0;
        this.bigBytesWritten = 0;
        const hold = url.searchParams.get('hold') === '1';
        const write = () => {
          while (sent < total) {
            const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
            sent += part.length;
            this.bigBytesWritten = sent;
            const flushed = res.write(part);
            if (hold && sent === part.length) return void this.#held.push(write);
            if (!flushed) return void res.once('drain', write);
          }
          res.end();
        };
        return write();
      }
      case '/v1/upload': {
        let bytes = 0;
        for await (const chunk of req) bytes += (chunk as Buffer).length;
        return this.#json(res, 200, { bytes });
      }
      default:
        req.resume();
        return this.#json(res, 404, { error: { code: 'not_found', message: 'no such route' } });
    }
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
