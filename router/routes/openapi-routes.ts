/**
 * `GET /v1/openapi.json`: the platform's OpenAPI 3.1 document, unauthenticated.
 * The router cannot import the cell's schemas, so it serves the document
 * generated from both (docs/openapi.json, `make openapi`), read once at first
 * request and revalidated by ETag.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { ApiError } from '../../lib/errors.ts';
import type { RouterEnv } from '../env.ts';

/** Where the generated document lives in the repository. */
export const OPENAPI_DOCUMENT_URL = new URL('../../docs/openapi.json', import.meta.url);

/** The router paths this file answers (router/listener.ts keeps them off the fast proxy path). */
export const OPENAPI_PATH = '/v1/openapi.json';

let cached: Promise<{ text: string; etag: string }> | undefined;

function loadDocument() {
  cached ??= readFile(OPENAPI_DOCUMENT_URL, 'utf8').then((text) => ({
    text,
    etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`,
  }));
  return cached;
}

export const openApiRoutes = new Hono<RouterEnv>()
  .get('/', async (c) => {
    const { text, etag } = await loadDocument();
    c.header('etag', etag);
    c.header('cache-control', 'no-cache');
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    return c.body(text, 200, { 'content-type': 'application/json; charset=utf-8' });
  })
  .all('/', () => {
    throw new ApiError('method_not_allowed', 'Use GET', { headers: { allow: 'GET' } });
  });
