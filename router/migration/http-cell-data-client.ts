/**
 * {@link CellDataClient} over HTTP: each call is signed like a proxied request
 * (x-user-id = the user being moved) and sent on the cell's undici pool.
 */
import type { Dispatcher } from 'undici';
import { newId } from '../../lib/ids.ts';
import { IDENTITY_HEADERS, ROUTER_BATCH_ACTOR, signIdentity } from '../../lib/router-signature.ts';
import {
  type CellDataClient,
  CellDataError,
  type Checksums,
  type LoadResult,
  UserBusyError,
  type UserDump,
} from './cell-data-client.ts';

export interface HttpCellDataClientOptions {
  routerSecret: string;
  /** The dispatcher (pool) of a cell, undefined for an unknown cell. */
  dispatcher(cellId: string): Dispatcher | undefined;
  /** Per request. @defaultValue 60000 */
  timeoutMs?: number;
  /** How long `PUT .../freeze` may wait for running jobs. @defaultValue 5000 */
  freezeWaitMs?: number;
}

interface Answer {
  status: number;
  body: Buffer;
}

interface CellError {
  code?: string;
  message?: string;
  details?: { problems?: { pointer?: string; message?: string }[] };
}

function errorOf(body: Buffer): CellError | undefined {
  try {
    return (JSON.parse(body.toString('utf8')) as { error?: CellError }).error;
  } catch {
    return undefined;
  }
}

/** `400 validation_failed: Invalid user data dump (/format: …)`: what an operator needs in the log. */
function describeError(status: number, error: CellError | undefined): string {
  if (!error) return String(status);
  const problems = (error.details?.problems ?? [])
    .slice(0, 3)
    .map((p) => `${p.pointer ?? ''}: ${p.message ?? ''}`);
  return `${status} ${error.code ?? ''}: ${error.message ?? ''}${
    problems.length > 0 ? ` (${problems.join('; ')})` : ''
  }`;
}

const BATCHES = '/internal/v1/user-batches';
const NEWLINE = 0x0a;
const NEWLINE_BUFFER = Buffer.from('\n');

/** A dump's document as the cell sent it, with the checksums and digests it carries. */
function dumpOf(body: Buffer, cellId: string, userId: string): UserDump {
  const parsed = JSON.parse(body.toString('utf8')) as {
    userId?: string;
    checksums?: Checksums;
    digests?: Checksums;
  };
  if (parsed.userId !== userId) {
    throw new CellDataError(
      `${cellId}: dump of ${String(parsed.userId)} where ${userId} was asked`,
    );
  }
  if (!parsed.checksums) throw new CellDataError(`${cellId}: dump without checksums`);
  return {
    userId,
    body,
    checksums: parsed.checksums,
    ...(parsed.digests ? { digests: parsed.digests } : {}),
  };
}

/** The non-empty lines of a JSON Lines body, as views of it (nothing copied). */
function linesOf(body: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < body.length) {
    const end = body.indexOf(NEWLINE, start);
    const stop = end === -1 ? body.length : end;
    if (stop > start) lines.push(body.subarray(start, stop));
    start = stop + 1;
  }
  return lines;
}

export class HttpCellDataClient implements CellDataClient {
  constructor(private readonly options: HttpCellDataClientOptions) {}

  /** A call about one user: `/internal/v1/users/<userId><suffix>`, signed for that user. */
  #call(
    cellId: string,
    userId: string,
    method: Dispatcher.HttpMethod,
    suffix: string,
    body?: Buffer | string,
  ): Promise<Answer> {
    return this.#send(
      cellId,
      userId,
      method,
      `/internal/v1/users/${encodeURIComponent(userId)}${suffix}`,
      body === undefined ? undefined : { body, type: 'application/json' },
    );
  }

  async #send(
    cellId: string,
    userId: string,
    method: Dispatcher.HttpMethod,
    path: string,
    content?: { body: Buffer | string | Buffer[]; type: string },
  ): Promise<Answer> {
    const dispatcher = this.options.dispatcher(cellId);
    if (!dispatcher) throw new CellDataError(`unknown cell ${cellId}`);
    const requestId = newId();
    const timeout = this.options.timeoutMs ?? 60_000;
    const body = Array.isArray(content?.body) ? Buffer.concat(content.body) : content?.body;
    try {
      const response = await dispatcher.request({
        method,
        path,
        headers: {
          ...(content === undefined ? {} : { 'content-type': content.type }),
          [IDENTITY_HEADERS.requestId]: requestId,
          [IDENTITY_HEADERS.userId]: userId,
          [IDENTITY_HEADERS.cellId]: cellId,
          [IDENTITY_HEADERS.signature]: signIdentity(this.options.routerSecret, {
            userId,
            cellId,
          }),
        },
        body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      return {
        status: response.statusCode,
        body: Buffer.from(await response.body.arrayBuffer()),
      };
    } catch (error) {
      throw new CellDataError(
        `${method} ${path} on ${cellId} failed: ${String(error)}`,
        undefined,
        {
          cause: error,
        },
      );
    }
  }

  #expectOk(answer: Answer, cellId: string, what: string): Answer {
    if (answer.status >= 200 && answer.status < 300) return answer;
    const error = errorOf(answer.body);
    if (error?.code === 'user_busy') {
      throw new UserBusyError(`${cellId}: ${what}: a job is still running`);
    }
    throw new CellDataError(
      `${cellId}: ${what} answered ${describeError(answer.status, error)}`,
      answer.status,
    );
  }

  async dump(cellId: string, userId: string): Promise<UserDump> {
    const answer = this.#expectOk(await this.#call(cellId, userId, 'GET', '/data'), cellId, 'dump');
    return dumpOf(answer.body, cellId, userId);
  }

  async dumpMany(cellId: string, userIds: readonly string[]): Promise<UserDump[]> {
    const answer = this.#expectOk(
      await this.#send(cellId, ROUTER_BATCH_ACTOR, 'POST', `${BATCHES}/dump`, {
        body: JSON.stringify({ userIds }),
        type: 'application/json',
      }),
      cellId,
      'batch dump',
    );
    // One dump per line, in the order asked; each line is passed on as it came.
    const lines = linesOf(answer.body);
    if (lines.length !== userIds.length) {
      throw new CellDataError(
        `${cellId}: batch dump answered ${lines.length} dumps for ${userIds.length} users`,
      );
    }
    return lines.map((line, i) => dumpOf(line, cellId, userIds[i] as string));
  }

  async loadMany(cellId: string, dumps: readonly UserDump[]): Promise<LoadResult[]> {
    const answer = this.#expectOk(
      await this.#send(cellId, ROUTER_BATCH_ACTOR, 'PUT', `${BATCHES}/data`, {
        body: dumps.flatMap((dump) => [dump.body, NEWLINE_BUFFER]),
        type: 'application/x-ndjson',
      }),
      cellId,
      'batch load',
    );
    const { results } = JSON.parse(answer.body.toString('utf8')) as {
      results?: (LoadResult & { userId?: string })[];
    };
    if (
      !Array.isArray(results) ||
      results.length !== dumps.length ||
      results.some((result, i) => result.userId !== dumps[i]?.userId)
    ) {
      throw new CellDataError(`${cellId}: batch load answered without a result per dump, in order`);
    }
    return results.map(({ checksums, digests }) => ({
      ...(checksums ? { checksums } : {}),
      ...(digests ? { digests } : {}),
    }));
  }

  async load(cellId: string, userId: string, dump: UserDump): Promise<LoadResult> {
    const answer = this.#expectOk(
      await this.#call(cellId, userId, 'PUT', '/data', dump.body),
      cellId,
      'load',
    );
    const { checksums, digests } = JSON.parse(answer.body.toString('utf8')) as LoadResult;
    return { ...(checksums ? { checksums } : {}), ...(digests ? { digests } : {}) };
  }

  async digests(cellId: string, userId: string): Promise<Checksums> {
    const answer = this.#expectOk(
      await this.#call(cellId, userId, 'GET', '/digests'),
      cellId,
      'digests',
    );
    return (JSON.parse(answer.body.toString('utf8')) as { digests: Checksums }).digests;
  }

  async checksums(cellId: string, userId: string): Promise<Checksums> {
    const answer = this.#expectOk(
      await this.#call(cellId, userId, 'GET', '/checksums'),
      cellId,
      'checksums',
    );
    return (JSON.parse(answer.body.toString('utf8')) as { checksums: Checksums }).checksums;
  }

  async freeze(cellId: string, userId: string): Promise<{ digests?: Checksums }> {
    const wait = this.options.freezeWaitMs ?? 5_000;
    const answer = this.#expectOk(
      await this.#call(cellId, userId, 'PUT', `/freeze?waitMs=${wait}`),
      cellId,
      'freeze',
    );
    const { digests } = JSON.parse(answer.body.toString('utf8')) as { digests?: Checksums };
    return digests ? { digests } : {};
  }

  async unfreeze(cellId: string, userId: string): Promise<void> {
    this.#expectOk(await this.#call(cellId, userId, 'DELETE', '/freeze'), cellId, 'unfreeze');
  }

  async tombstone(cellId: string, userId: string, movedTo: string): Promise<void> {
    this.#expectOk(
      await this.#call(cellId, userId, 'PUT', '/tombstone', JSON.stringify({ movedTo })),
      cellId,
      'tombstone',
    );
  }

  async activate(cellId: string, userId: string): Promise<void> {
    this.#expectOk(await this.#call(cellId, userId, 'POST', '/activate'), cellId, 'activate');
  }

  async deleteData(
    cellId: string,
    userId: string,
    options: { reason?: 'account_deleted' } = {},
  ): Promise<void> {
    const query = options.reason ? `?reason=${options.reason}` : '';
    this.#expectOk(await this.#call(cellId, userId, 'DELETE', `/data${query}`), cellId, 'purge');
  }
}
