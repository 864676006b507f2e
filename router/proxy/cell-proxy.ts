/**
 * Streams a request to the user's cell and the answer back.
 *
 * Served by @hono/node-server, it works on the node request and response
 * directly: the body goes from the client socket through a byte counter into
 * undici, and the cell's body is piped into the client socket, never held
 * whole. Under `app.request()` (no node objects) the same exchange runs over
 * web streams.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import type { Dispatcher } from 'undici';
import { ApiError } from '../../lib/errors.ts';
import { signIdentity } from '../../lib/router-signature.ts';
import type { RouterEnv } from '../env.ts';
import { CellUnavailableError } from '../errors.ts';
import type { HealthMonitor } from '../health/health-monitor.ts';
import { isConnectionRefused } from '../health/health-monitor.ts';
import type { CellPools } from './cell-pools.ts';
import { requestHeadersForCell, responseHeadersForClient } from './hop-by-hop.ts';

export interface CellProxyOptions {
  routerSecret: string;
  /** @defaultValue 1048576 */
  bodyLimitBytes?: number;
}

export interface ProxyTarget {
  userId: string;
  cellId: string;
  requestId: string;
}

class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

function payloadTooLarge(limit: number): ApiError {
  return new ApiError('payload_too_large', `Request body exceeds ${limit} bytes`, {
    details: { limitBytes: limit },
  });
}

async function* limitBody(
  source: AsyncIterable<Uint8Array>,
  limit: number,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > limit) throw new BodyTooLargeError();
    yield chunk;
  }
}

function findCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function hasBodyTooLarge(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (current instanceof BodyTooLargeError) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export class CellProxy {
  readonly #limit: number;

  constructor(
    private readonly pools: CellPools,
    private readonly health: HealthMonitor,
    private readonly options: CellProxyOptions,
  ) {
    this.#limit = options.bodyLimitBytes ?? 1_048_576;
  }

  /** Forwards the request in `c` to `target.cellId`; throws domain/API errors before any byte is sent. */
  async forward(c: Context<RouterEnv>, target: ProxyTarget): Promise<Response> {
    const pool = this.pools.get(target.cellId);
    if (!pool) throw new CellUnavailableError(target.cellId);
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > this.#limit) {
      throw payloadTooLarge(this.#limit);
    }
    const incoming = c.env?.incoming;
    const outgoing = c.env?.outgoing;
    if (incoming && outgoing && !(incoming as { rawBody?: unknown }).rawBody) {
      return this.#forwardNode(c, pool, target, incoming, outgoing);
    }
    return this.#forwardWeb(c, pool, target);
  }

  #headers(source: Record<string, string | string[] | undefined>, target: ProxyTarget) {
    const headers = requestHeadersForCell(source);
    headers['x-request-id'] = target.requestId;
    headers['x-user-id'] = target.userId;
    headers['x-cell-id'] = target.cellId;
    headers['x-router-signature'] = signIdentity(this.options.routerSecret, target);
    return headers;
  }

  #pathOf(c: Context<RouterEnv>): string {
    const url = c.req.url;
    const start = url.indexOf('/', url.indexOf('//') + 2);
    return start === -1 ? '/' : url.slice(start);
  }

  async #request(
    pool: Dispatcher,
    target: ProxyTarget,
    options: Dispatcher.RequestOptions,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await pool.request(options);
    } catch (error) {
      throw this.#mapError(error, target.cellId);
    }
  }

  #mapError(error: unknown, cellId: string): unknown {
    if (hasBodyTooLarge(error)) return payloadTooLarge(this.#limit);
    if (error instanceof ApiError) return error;
    if (isConnectionRefused(error)) {
      this.health.markRefused(cellId);
      return new CellUnavailableError(cellId);
    }
    switch (findCode(error)) {
      case 'UND_ERR_HEADERS_TIMEOUT':
        return new ApiError('cell_timeout', 'The cell did not answer in time', {
          headers: { 'x-cell-id': cellId },
        });
      case 'UND_ERR_CONNECT_TIMEOUT':
      case 'UND_ERR_SOCKET':
      case 'ECONNRESET':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return new CellUnavailableError(cellId, 'The cell could not be reached', { cause: error });
      case 'UND_ERR_ABORTED':
      case 'ABORT_ERR':
        return new ApiError('bad_request', 'Client went away');
      default:
        return new ApiError('upstream_error', 'The cell failed to answer', {
          headers: { 'x-cell-id': cellId },
          cause: error,
        });
    }
  }

  async #forwardNode(
    c: Context<RouterEnv>,
    pool: Dispatcher,
    target: ProxyTarget,
    incoming: IncomingMessage,
    outgoing: ServerResponse,
  ): Promise<Response> {
    const method = incoming.method ?? 'GET';
    const hasBody =
      incoming.headers['content-length'] !== undefined ||
      incoming.headers['transfer-encoding'] !== undefined;
    const response = await this.#request(pool, target, {
      method: method as Dispatcher.HttpMethod,
      path: this.#pathOf(c),
      headers: this.#headers(incoming.headers, target),
      body:
        hasBody && method !== 'GET' && method !== 'HEAD'
          ? Readable.from(limitBody(incoming, this.#limit), { objectMode: false })
          : null,
    });
    const headers = responseHeadersForClient(response.headers);
    headers['x-request-id'] = target.requestId;
    headers['x-cell-id'] = target.cellId;
    const body = response.body;
    // Destroying an undici body emits an abort error; without a listener that
    // error would crash the router whenever a client leaves early.
    body.on('error', () => {
      if (!outgoing.destroyed) outgoing.destroy();
    });
    if (outgoing.destroyed) {
      // The client left while the cell was answering: drop the cell's body too.
      body.destroy();
      return RESPONSE_ALREADY_SENT;
    }
    outgoing.writeHead(response.statusCode, headers);
    // Plain pipe plus close/error listeners: cheaper per request than stream/promises.pipeline
    // with its abort signals, and a client that leaves mid-body tears the cell stream down.
    await new Promise<void>((resolve) => {
      const done = () => {
        outgoing.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        if (!body.destroyed) body.destroy();
        done();
      };
      outgoing.once('close', onClose);
      body.pipe(outgoing);
    });
    return RESPONSE_ALREADY_SENT;
  }

  async #forwardWeb(
    c: Context<RouterEnv>,
    pool: Dispatcher,
    target: ProxyTarget,
  ): Promise<Response> {
    const raw = c.req.raw;
    const source: Record<string, string> = {};
    raw.headers.forEach((value, name) => {
      source[name] = value;
    });
    const body =
      raw.body && raw.method !== 'GET' && raw.method !== 'HEAD'
        ? Readable.from(limitBody(raw.body as unknown as AsyncIterable<Uint8Array>, this.#limit), {
            objectMode: false,
          })
        : null;
    const response = await this.#request(pool, target, {
      method: raw.method as Dispatcher.HttpMethod,
      path: this.#pathOf(c),
      headers: this.#headers(source, target),
      body,
      signal: raw.signal,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(responseHeadersForClient(response.headers))) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else headers.set(name, value);
    }
    headers.set('x-request-id', target.requestId);
    headers.set('x-cell-id', target.cellId);
    const nullBody = [204, 205, 304].includes(response.statusCode) || raw.method === 'HEAD';
    if (nullBody) await response.body.dump();
    return new Response(
      nullBody ? null : (Readable.toWeb(response.body) as unknown as ReadableStream<Uint8Array>),
      { status: response.statusCode, headers },
    );
  }
}
