/**
 * One HTTP attempt of a submission with undici, classified: a response with
 * its body, or a `SubmissionError` that says whether the application was
 * definitely not delivered, refused, or may have arrived.
 */
import { type FormData, fetch } from 'undici';
import { SubmissionError } from '../../domain/applications/errors.ts';
import type { ChannelName } from './types.ts';

/** Errors raised before a single byte of the request could reach the server. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export interface HttpAttempt {
  status: number;
  text: string;
}

function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = cause?.code ?? (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Sends one request; network failures become `SubmissionError` with the right outcome. */
export async function sendHttp(
  channel: ChannelName,
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string | FormData },
  timeoutMs: number,
): Promise<HttpAttempt> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    const code = errorCode(error);
    if (code && NOT_CONNECTED_CODES.has(code)) {
      throw new SubmissionError(
        channel,
        'not_delivered',
        `could not connect (${code})`,
        undefined,
        {
          cause: error,
        },
      );
    }
    const name = (error as { name?: unknown } | null)?.name;
    const what =
      name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (code ?? String(name));
    throw new SubmissionError(channel, 'unknown', `outcome unknown: ${what}`, undefined, {
      cause: error,
    });
  }
}

/** Throws for a non-2xx answer: 429 was not processed, other 4xx refused, 5xx unknown. */
export function assertAccepted(channel: ChannelName, attempt: HttpAttempt): void {
  const { status } = attempt;
  if (status >= 200 && status < 300) return;
  const excerpt = attempt.text.slice(0, 200);
  if (status === 429) {
    throw new SubmissionError(channel, 'not_delivered', 'rate limited by the board (429)', status);
  }
  if (status >= 400 && status < 500 && status !== 408) {
    throw new SubmissionError(channel, 'rejected', `refused with ${status}: ${excerpt}`, status);
  }
  throw new SubmissionError(channel, 'unknown', `answered ${status}: ${excerpt}`, status);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function basicAuth(username: string, password = ''): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Joins a base URL and path segments, encoding each segment. */
export function joinUrl(base: string, ...segments: string[]): string {
  return `${base.replace(/\/+$/, '')}/${segments.map(encodeURIComponent).join('/')}`;
}
