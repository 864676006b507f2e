/**
 * Streams a request to the user's cell and the answer back, on node's request
 * and response: the body goes from the client socket through a byte counter
 * into undici, and the cell's answer is written chunk by chunk into the client
 * socket as undici receives it, never held whole.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { type Dispatcher, errors } from 'undici';
import { ApiError } from '../../lib/errors.ts';
import { DEPENDENCY_DOWN_HEADER } from '../../lib/http-headers.ts';
import { IdentitySigner } from '../../lib/router-signature.ts';
import { CellUnavailableError } from '../errors.ts';
import type { HealthMonitor } from '../health/health-monitor.ts';
import { isConnectionRefused } from '../health/health-monitor.ts';
import type { CellPools } from './cell-pools.ts';
import { requestHeadersForCell, responseHeadersForClient } from './hop-by-hop.ts';

export interface CellProxyOptions {
  routerSecret: string;
  /** @defaultValue 1048576 */
  bodyLimitBytes?: number;
  /**
   * Re-reads a user's placement and resolves with the cell that holds them now. Given, a
   * read that reaches a cell the user just left (this replica had not seen the flip yet),
   * answered `409 user_moved`, is asked once more of that cell.
   */
  relocate?: (userId: string) => Promise<string | undefined>;
}

/** Where one request goes; `cellId` is updated when the request follows a moved user. */
export interface ProxyTarget {
  userId: string;
  cellId: string;
  requestId: string;
}

/**
 * Told how one forwarded request ends, exactly once: the head of the cell's answer was written
 * (its body may still be streaming), or the request was refused before any byte was sent (an
 * API error to answer with). An object rather than a promise: no promise, closures or
 * microtasks per request on the proxy's hot path.
 */
export interface ForwardListener {
  headWritten(status: number): void;
  refused(error: unknown): void;
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

/** The reason a request to a cell is aborted when its client left (mapped to 400, not a cell error). */
function clientGone(): Error {
  return new errors.RequestAbortedError('The client went away');
}

/** A cell's `409` to a read, held back to see whether it is `user_moved`. */
interface HeldAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  chunks: Buffer[];
}

/** A held answer whose body is the one error format with code `user_moved`. */
function isUserMoved(held: HeldAnswer): boolean {
  try {
    const body = JSON.parse(Buffer.concat(held.chunks).toString('utf8')) as {
      error?: { code?: string };
    };
    return body.error?.code === 'user_moved';
  } catch {
    return false;
  }
}

/** What a {@link ResponseRelay} reports to the proxy that made it (one per request). */
interface RelayOwner {
  /** Every answer from the cell, with whether it reported a dependency down (passive health). */
  answered(cellId: string, dependencyDown: boolean): void;
  /** The request failed before any answer was relayed: the error to answer with instead. */
  failed(error: unknown, cellId: string): unknown;
  /** A read's `409`, held whole: relayed, or asked of the user's new cell. */
  held(relay: ResponseRelay, held: HeldAnswer): void;
}

/**
 * An undici dispatch handler that writes the cell's answer straight into node's response:
 * no intermediate readable stream, pipe or closure per request. Back-pressure pauses the
 * cell connection; a client that leaves aborts the request to the cell.
 */
class ResponseRelay implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #started = false;
  #done = false;
  #held: HeldAnswer | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly path: string,
    readonly target: ProxyTarget,
    private readonly owner: RelayOwner,
    /** Told the status once the answer's head is written, or the error. */
    readonly listener: ForwardListener,
    /** Reads hold a `409` to see whether it is `user_moved`. */
    private readonly holdConflicts: boolean,
  ) {
    // Inline, not a class field: tsx names an arrow field (`__name`, a defineProperty) per
    // instance. `on`, not `once`: a response closes once, and `once` wraps the listener.
    res.on('close', () => {
      if (!this.#done) this.#controller?.abort(clientGone());
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.res.destroyed) controller.abort(clientGone());
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // informational: the final answer follows
    this.owner.answered(
      this.target.cellId,
      statusCode === 503 && headers[DEPENDENCY_DOWN_HEADER] !== undefined,
    );
    if (statusCode === 409 && this.holdConflicts) {
      this.#held = { status: statusCode, headers, chunks: [] };
      return;
    }
    this.#started = true;
    if (this.res.destroyed) {
      controller.abort(clientGone());
      this.listener.headWritten(statusCode);
      return;
    }
    const out = responseHeadersForClient(headers);
    out.push('x-request-id', this.target.requestId, 'x-cell-id', this.target.cellId);
    this.res.writeHead(statusCode, out);
    this.listener.headWritten(statusCode);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#held) {
      this.#held.chunks.push(chunk);
      return;
    }
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.#done = true;
    if (this.#held) this.owner.held(this, this.#held);
    else this.res.end();
  }

  /** Relays a held answer as it came. */
  writeHeld(held: HeldAnswer): number {
    this.#started = true;
    const out = responseHeadersForClient(held.headers);
    out.push('x-request-id', this.target.requestId, 'x-cell-id', this.target.cellId);
    this.res.writeHead(held.status, out);
    this.res.end(Buffer.concat(held.chunks));
    return held.status;
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#done = true;
    if (this.#started) this.res.destroy();
    else this.listener.refused(this.owner.failed(error, this.target.cellId));
  }
}

export class CellProxy {
  readonly #limit: number;
  readonly #signer: IdentitySigner;
  readonly #relocate: ((userId: string) => Promise<string | undefined>) | undefined;
  /** The relays' callbacks, made once for every request. */
  readonly #owner: RelayOwner;

  constructor(
    private readonly pools: CellPools,
    private readonly health: HealthMonitor,
    options: CellProxyOptions,
  ) {
    this.#limit = options.bodyLimitBytes ?? 1_048_576;
    this.#signer = new IdentitySigner(options.routerSecret);
    this.#relocate = options.relocate;
    this.#owner = {
      answered: (cellId, dependencyDown) => this.health.reportAnswer(cellId, dependencyDown),
      failed: (error, cellId) => this.#mapError(error, cellId),
      held: (relay, held) => this.#held(relay, held),
    };
  }

  /**
   * Forwards `req` (whose target is `path`) to `target.cellId` and relays the answer into
   * `res`. Tells `listener` the status as soon as the response headers are written, while
   * the body keeps streaming, or a domain/API error before any byte is sent (possibly before
   * this returns). A read that follows its user to a new cell (see
   * {@link CellProxyOptions.relocate}) leaves that cell in `target.cellId`.
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    target: ProxyTarget,
    listener: ForwardListener,
  ): void {
    const pool = this.pools.get(target.cellId);
    if (!pool) {
      listener.refused(new CellUnavailableError(target.cellId));
      return;
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > this.#limit) {
      listener.refused(payloadTooLarge(this.#limit));
      return;
    }
    const method = req.method ?? 'GET';
    const hasBody =
      (declared !== undefined || req.headers['transfer-encoding'] !== undefined) &&
      method !== 'GET' &&
      method !== 'HEAD';
    const body = hasBody ? Readable.from(limitBody(req, this.#limit), { objectMode: false }) : null;
    // A read that reaches a cell the user just left is answered `409 user_moved`: it is held
    // to re-read the placement and ask the new cell once (`#held`).
    const holdConflicts =
      this.#relocate !== undefined && !hasBody && (method === 'GET' || method === 'HEAD');
    this.#dispatch(pool, req, res, path, target, listener, body, holdConflicts);
  }

  #dispatch(
    pool: Dispatcher,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    target: ProxyTarget,
    listener: ForwardListener,
    body: Readable | null,
    holdConflicts: boolean,
  ): void {
    const headers = requestHeadersForCell(req.headers);
    headers.push(
      'x-request-id',
      target.requestId,
      'x-user-id',
      target.userId,
      'x-cell-id',
      target.cellId,
      'x-router-signature',
      this.#signer.sign(target),
    );
    const method = (req.method ?? 'GET') as Dispatcher.HttpMethod;
    const relay = new ResponseRelay(req, res, path, target, this.#owner, listener, holdConflicts);
    pool.dispatch({ method, path, headers, body }, relay);
  }

  /**
   * A read's held `409`: `user_moved` is asked once more of the cell that holds the user now
   * (a second `409` is relayed as it is); anything else is relayed.
   */
  #held(relay: ResponseRelay, held: HeldAnswer): void {
    const { req, res, path, target, listener } = relay;
    const relocate = this.#relocate;
    if (!relocate || !isUserMoved(held)) {
      listener.headWritten(relay.writeHeld(held));
      return;
    }
    const from = target.cellId;
    relocate(target.userId).then(
      (cellId) => {
        try {
          if (!cellId || cellId === from) {
            listener.headWritten(relay.writeHeld(held));
            return;
          }
          target.cellId = cellId;
          const pool = this.pools.get(cellId);
          if (pool) this.#dispatch(pool, req, res, path, target, listener, null, false);
          else listener.refused(new CellUnavailableError(cellId));
        } catch (error) {
          listener.refused(error);
        }
      },
      (error: unknown) => listener.refused(error),
    );
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
}
