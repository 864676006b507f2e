/**
 * The web app at `/`: GET and HEAD of the built files (router/web/web-assets.ts),
 * and `index.html` for any other page path so the app's own router can show it.
 * Hashed files under /assets/ are cached for a year (immutable); index.html is
 * revalidated every time (no-cache + ETag), so a deploy is seen at once. Every
 * answer carries a strict Content-Security-Policy: scripts, styles and fetches
 * from this origin only, no inline script, no framing.
 *
 * Mounted last: `/v1`, `/admin/v1`, `/health` and `/metrics` never get here, and
 * plain `/v1` targets never even reach Hono (router/listener.ts).
 */
import { type Context, Hono } from 'hono';
import { ApiError } from '../../lib/errors.ts';
import type { RouterEnv } from '../env.ts';
import { loadWebAssets, type WebAsset } from '../web/web-assets.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** Paths that belong to the API or the operations endpoints, never to the web app (`/admin` itself is the operator console). */
const NOT_WEB = /^\/(v1|admin\/v1|health|metrics)(\/|$)/;

let loaded: { dir: string; assets: Promise<Map<string, WebAsset>> } | undefined;

function assetsOf(dir: string) {
  if (loaded?.dir !== dir) loaded = { dir, assets: loadWebAssets(dir) };
  return loaded.assets;
}

/** Picks br, then gzip, then identity, as the client accepts. */
function encodingFor(c: Context, asset: WebAsset): { body: Uint8Array; encoding?: string } {
  const accepted = c.req.header('accept-encoding') ?? '';
  if (asset.br && /\bbr\b/.test(accepted)) return { body: asset.br, encoding: 'br' };
  if (asset.gzip && /\bgzip\b/.test(accepted)) return { body: asset.gzip, encoding: 'gzip' };
  return { body: asset.body };
}

function serve(c: Context<RouterEnv>, asset: WebAsset): Response {
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'content-type': asset.contentType,
    etag: asset.etag,
    vary: 'accept-encoding',
    'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  if (c.req.header('if-none-match') === asset.etag) {
    return new Response(null, { status: 304, headers });
  }
  const { body, encoding } = encodingFor(c, asset);
  if (encoding) headers['content-encoding'] = encoding;
  headers['content-length'] = String(body.byteLength);
  return new Response(c.req.method === 'HEAD' ? null : body, { status: 200, headers });
}

export const webRoutes = new Hono<RouterEnv>().on(['GET', 'HEAD'], '*', async (c) => {
  const path = c.req.path;
  if (NOT_WEB.test(path)) throw new ApiError('not_found', `No route for ${c.req.method} ${path}`);
  const assets = await assetsOf(c.get('services').config.WEB_DIST_DIR);
  const asset = assets.get(path);
  if (asset) return serve(c, asset);
  const index = assets.get('/index.html');
  // A missing hashed file or any other file name is a real 404, not the app.
  if (!index || path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(path)) {
    throw new ApiError(
      'not_found',
      index ? `No such file: ${path}` : 'The web app is not built: run `make web`',
    );
  }
  return serve(c, index);
});
