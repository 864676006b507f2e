/**
 * Base of the fake application APIs: a real local HTTP server (node:http)
 * whose requests are turned into web `Request`s, so each fake parses real
 * multipart or JSON exactly as sent. It records the applications it accepts,
 * dedupes them on `Idempotency-Key` (counting distinct applications and raw
 * requests apart), and can inject failures: an error status before or after
 * processing, a dropped connection after processing, or a slow answer.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

export type InjectedFailure =
  | { kind: 'status'; status: number; afterProcessing: boolean }
  | { kind: 'drop'; afterProcessing: boolean };

/** What a fake's protocol handler decides about one request. */
export type FakeOutcome =
  | { kind: 'respond'; response: Response }
  | { kind: 'accept'; application: Record<string, unknown>; response: () => Response };

export interface ReceivedApplication {
  idempotencyKey: string | null;
  fields: Record<string, unknown>;
  receivedAt: number;
}

export interface FakeApiOptions {
  /** Whether repeated `Idempotency-Key`s return the first answer without a new application. @defaultValue true */
  dedupe?: boolean;
}

const DROP = Symbol('drop');

export class FakeApplicationApi {
  readonly applications: ReceivedApplication[] = [];
  /** Every request received, including refused and deduped ones. */
  requests = 0;
  /** Answer delay after an application is recorded, to hold a request in flight. */
  delayMs = 0;
  private readonly failures: InjectedFailure[] = [];
  private readonly answered = new Map<string, { status: number; body: string; type: string }>();
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private server: Server | undefined;
  private baseUrl = '';

  constructor(
    private readonly handle: (request: Request) => Promise<FakeOutcome>,
    private readonly options: FakeApiOptions = {},
  ) {}

  get url(): string {
    return this.baseUrl;
  }

  /** Fails the next requests, in order. */
  failNext(...failures: InjectedFailure[]): void {
    this.failures.push(...failures);
  }

  /** Resolves once at least `count` distinct applications were recorded. */
  waitForApplications(count: number): Promise<void> {
    if (this.applications.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.dispatch(req)
        .then((answer) => {
          if (answer === DROP) {
            req.socket.destroy();
            return;
          }
          res.writeHead(answer.status, { 'content-type': answer.type });
          res.end(answer.body);
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async dispatch(
    req: IncomingMessage,
  ): Promise<typeof DROP | { status: number; body: string; type: string }> {
    this.requests += 1;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    }
    const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(req.method === 'GET' || req.method === 'HEAD'
        ? {}
        : { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' }),
    } as RequestInit);
    const key = request.headers.get('idempotency-key');
    const dedupe = this.options.dedupe ?? true;

    const outcome = await this.handle(request);
    if (outcome.kind === 'respond') return toAnswer(outcome.response);
    if (dedupe && key) {
      const previous = this.answered.get(key);
      if (previous) return previous;
    }
    const failure = this.failures[0];
    if (failure && !failure.afterProcessing) {
      this.failures.shift();
      return failure.kind === 'drop' ? DROP : jsonAnswer(failure.status, { error: 'injected' });
    }
    this.applications.push({
      idempotencyKey: key,
      fields: outcome.application,
      receivedAt: Date.now(),
    });
    const answer = await toAnswer(outcome.response());
    if (dedupe && key) this.answered.set(key, answer);
    for (const waiter of this.waiters.filter((w) => this.applications.length >= w.count)) {
      waiter.resolve();
    }
    if (failure?.afterProcessing) {
      this.failures.shift();
      return failure.kind === 'drop' ? DROP : jsonAnswer(failure.status, { error: 'injected' });
    }
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return answer;
  }
}

function jsonAnswer(status: number, body: unknown) {
  return { status, body: JSON.stringify(body), type: 'application/json' };
}

async function toAnswer(response: Response) {
  return {
    status: response.status,
    body: await response.text(),
    type: response.headers.get('content-type') ?? 'application/json',
  };
}

export function json(status: number, body: unknown): Response {
  return Response.json(body, { status });
}

/** The username of an HTTP Basic `Authorization` header, if well formed. */
export function basicUser(request: Request): string | undefined {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(0, colon);
}

/** A file part of a multipart body, read fully. */
export interface ReceivedFile {
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

/** Turns form data into plain fields: files read into buffers, repeated names into arrays. */
export async function formFields(form: FormData): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of form.entries()) {
    const parsed: unknown =
      typeof value === 'string'
        ? value
        : ({
            fileName: value.name,
            contentType: value.type,
            bytes: Buffer.from(await value.arrayBuffer()),
          } satisfies ReceivedFile);
    const existing = fields[name];
    if (existing === undefined) fields[name] = parsed;
    else fields[name] = Array.isArray(existing) ? [...existing, parsed] : [existing, parsed];
  }
  return fields;
}

export function isFile(value: unknown): value is ReceivedFile {
  return (
    typeof value === 'object' && value !== null && Buffer.isBuffer((value as ReceivedFile).bytes)
  );
}
