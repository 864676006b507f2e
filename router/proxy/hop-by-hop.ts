/**
 * Header filtering between client and cell: hop-by-hop headers (RFC 9110
 * §7.6.1) and anything named in `Connection` are not forwarded, and the
 * identity headers only the router may set are dropped from client requests.
 * Both directions yield flat `[name, value, name, value, …]` lists, the form
 * undici's `headers` and node's `writeHead` take without building an object.
 */
import { IDENTITY_HEADERS } from '../../lib/router-signature.ts';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Never forwarded to a cell: hop-by-hop, router-owned identity, and the client's credentials. */
const REQUEST_DROPPED = new Set([
  ...HOP_BY_HOP,
  'host',
  'expect',
  'authorization',
  IDENTITY_HEADERS.userId,
  IDENTITY_HEADERS.cellId,
  IDENTITY_HEADERS.requestId,
  IDENTITY_HEADERS.signature,
]);

/** Never passed back to the client: hop-by-hop, and ids the router sets itself. */
const RESPONSE_DROPPED = new Set([
  ...HOP_BY_HOP,
  IDENTITY_HEADERS.cellId,
  IDENTITY_HEADERS.requestId,
  IDENTITY_HEADERS.userId,
  IDENTITY_HEADERS.signature,
]);

type HeaderValue = string | string[] | undefined;

/** The `Connection` value of nearly every request and answer: names no header. */
const PLAIN_CONNECTION = /^[ \t]*(?:keep-alive|close)[ \t]*$/i;

function connectionTokens(value: HeaderValue): Set<string> | undefined {
  if (value === undefined) return undefined;
  // Fast path, taken on almost every request and answer: no split, no set.
  if (typeof value === 'string' && PLAIN_CONNECTION.test(value)) return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  const tokens = joined
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token && token !== 'close' && token !== 'keep-alive');
  return tokens.length > 0 ? new Set(tokens) : undefined;
}

/**
 * `headers` as a flat list, minus `dropped` and the names `Connection` lists. Both callers pass
 * lower-case names (node's `req.headers` and undici's parsed answer lower-case them), so names
 * are compared and passed on as they are.
 */
function filter(headers: Record<string, HeaderValue>, dropped: Set<string>): string[] {
  const extra = connectionTokens(headers.connection);
  const out: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (dropped.has(name) || extra?.has(name)) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }
  return out;
}

/** Client request headers (lower-case names) minus what must not reach a cell, as a flat list. */
export function requestHeadersForCell(headers: Record<string, HeaderValue>): string[] {
  return filter(headers, REQUEST_DROPPED);
}

/** Cell response headers (lower-case names) minus hop-by-hop and router-owned ones, as a flat list. */
export function responseHeadersForClient(headers: Record<string, HeaderValue>): string[] {
  return filter(headers, RESPONSE_DROPPED);
}
