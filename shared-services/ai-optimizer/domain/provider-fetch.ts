/**
 * The `fetch` the provider SDKs are given: undici's `request` on a keep-alive
 * agent (following redirects as fetch does), answering with a standard
 * `Response` over the buffered body.
 *
 * Why not the global `fetch`: it tracks each response through a `WeakRef`
 * and each request's signal through a `FinalizationRegistry`, and V8's
 * young-generation collector treats weakly held objects as live. Every call's
 * objects (about 20 KB) therefore survive each scavenge, are promoted, and
 * are copied on the way: measured in one process, sequential SDK calls
 * promoted 1 MB per scavenge with 2.5 ms pauses over fetch, against under
 * 0.1 MB and 1 ms over `request`. The optimizer's scavenges run as event-loop
 * tasks, so a pause lands on whichever request is waiting on Redis at the
 * time: the service's overhead tail (see docs/reference/ai-optimizer.md).
 *
 * The SDK calls made here are never streamed (JSON completions of a few KB),
 * so the body is read whole; the SDK's signal aborts the body read as well as
 * the request. A body this cannot send as is (a stream, form data) and a
 * `Request` object go to the global `fetch` unchanged.
 */
import { Agent, type Dispatcher, interceptors, request } from 'undici';

/** Statuses whose response has no body (the `Response` constructor refuses one). */
const NULL_BODY_STATUS = new Set([204, 205, 304]);
const MAX_REDIRECTIONS = 5;

type SendableBody = string | Uint8Array | undefined | null;

function sendable(body: RequestInit['body']): body is SendableBody {
  return (
    body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array
  );
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/** A `fetch` over `dispatcher` (by default its own keep-alive agent). */
export function requestFetch(
  dispatcher: Dispatcher = new Agent().compose(
    interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }),
  ),
): typeof fetch {
  return async (input, init = {}) => {
    if (input instanceof Request || !sendable(init.body)) return fetch(input, init);
    const url = input instanceof URL ? input.href : String(input);
    const { statusCode, headers, body } = await request(url, {
      dispatcher,
      method: (init.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod,
      headers: Object.fromEntries(new Headers(init.headers)),
      body: init.body ?? null,
      ...(init.signal ? { signal: init.signal } : {}),
    });
    const bytes = await body.arrayBuffer();
    return new Response(NULL_BODY_STATUS.has(statusCode) ? null : bytes, {
      status: statusCode,
      headers: responseHeaders(headers),
    });
  };
}
