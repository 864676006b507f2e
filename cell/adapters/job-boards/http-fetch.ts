/**
 * The one HTTP GET every job-board adapter uses (undici): timeouts, a response
 * size cap, no redirects followed, conditional request headers, and failures
 * sorted into "board not found" and "retry later".
 */
import { request } from 'undici';
import type { z } from 'zod';
import {
  BoardFetchError,
  type BoardFetchResult,
  BoardNotFoundError,
  type ConditionalValidators,
  type NormalizedPosting,
  type Provider,
} from './types.ts';

export interface FetchOptions {
  /** @defaultValue 20_000 */
  timeoutMs?: number;
  /** @defaultValue 50 MiB */
  maxBytes?: number;
  /** @defaultValue 'cellular-resume-platform job discovery' */
  userAgent?: string;
}

export type JsonFetchResult =
  | { status: 'not_modified' }
  | { status: 'ok'; body: unknown; validators: ConditionalValidators };

/** Joins a configured base URL and path segments that are already encoded. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export async function fetchBoardJson(
  url: string,
  target: { provider: Provider; board: string },
  validators: ConditionalValidators,
  options: FetchOptions = {},
): Promise<JsonFetchResult> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxBytes = options.maxBytes ?? 50 * 1_048_576;
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': options.userAgent ?? 'cellular-resume-platform job discovery',
  };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;

  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      method: 'GET',
      headers,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new BoardFetchError(`fetch failed: ${(error as Error).message}`);
  }
  if (res.statusCode === 304) {
    await res.body.dump();
    return { status: 'not_modified' };
  }
  if (res.statusCode === 404 || res.statusCode === 410) {
    await res.body.dump();
    throw new BoardNotFoundError(target.provider, target.board);
  }
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new BoardFetchError(`board answered ${res.statusCode}`, res.statusCode);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.body.destroy();
        throw new BoardFetchError(`board response exceeds ${maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof BoardFetchError) throw error;
    throw new BoardFetchError(`reading board failed: ${(error as Error).message}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BoardFetchError('board answered with invalid JSON');
  }
  const header = (name: string) => {
    const value = res.headers[name];
    return typeof value === 'string' ? value : null;
  };
  return {
    status: 'ok',
    body,
    validators: { etag: header('etag'), lastModified: header('last-modified') },
  };
}

export interface BoardPostingsSpec<T> {
  url: string;
  context: { provider: Provider; board: string };
  validators: ConditionalValidators;
  fetchOptions: FetchOptions;
  /** The raw entries of the board's JSON, or undefined when the body is not a board. */
  entries(body: unknown): unknown[] | undefined;
  /** Schema of one entry; an entry that does not parse is skipped and counted. */
  entry: z.ZodType<T>;
  /** Maps a parsed entry to a posting, or undefined to leave it out (e.g. unlisted). */
  toPosting(entry: T): NormalizedPosting | undefined;
}

/**
 * Text as Postgres can store it: a board's JSON may carry U+0000 (which no
 * Postgres text or jsonb value holds) or a lone surrogate (not UTF-8). NULs are
 * dropped and lone surrogates become U+FFFD, so one odd posting neither fails
 * its whole board nor reaches the database as an error.
 */
function storableText(text: string): string {
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storablePosting(posting: NormalizedPosting): NormalizedPosting {
  return {
    ...posting,
    externalId: storableText(posting.externalId),
    title: storableText(posting.title),
    company: storableText(posting.company),
    location: posting.location === null ? null : storableText(posting.location),
    description: storableText(posting.description),
    url: posting.url === null ? null : storableText(posting.url),
  };
}

/**
 * Fetches one board (conditionally) and maps its entries to postings: the part
 * every provider adapter shares, so each adapter only says where its list is
 * and how one entry reads.
 */
export async function fetchBoardPostings<T>(spec: BoardPostingsSpec<T>): Promise<BoardFetchResult> {
  const result = await fetchBoardJson(spec.url, spec.context, spec.validators, spec.fetchOptions);
  if (result.status === 'not_modified') return result;
  const entries = spec.entries(result.body);
  if (!entries) throw new BoardFetchError(`${spec.context.provider} board has no list of jobs`);
  const postings: NormalizedPosting[] = [];
  let skipped = 0;
  for (const raw of entries) {
    const parsed = spec.entry.safeParse(raw);
    if (!parsed.success) {
      skipped++;
      continue;
    }
    const posting = spec.toPosting(parsed.data);
    if (posting) postings.push(storablePosting(posting));
  }
  return { status: 'ok', postings, validators: result.validators, skipped };
}
