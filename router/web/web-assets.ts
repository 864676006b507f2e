/**
 * The built web app (web/dist), held in memory: each file with its content
 * type, a strong ETag, and the `.br` / `.gz` siblings the build wrote beside
 * it (web/vite.config.ts), so serving is a map lookup and no request
 * compresses anything. Loaded once, at the first request for it.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

export interface WebAsset {
  body: Uint8Array;
  br?: Uint8Array;
  gzip?: Uint8Array;
  contentType: string;
  etag: string;
  /** Vite's content-hashed output under assets/: cacheable forever. */
  immutable: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** Every file of `dir` by URL path (`/index.html`, `/assets/index-3f9a.js`); empty when `dir` is missing. */
export async function loadWebAssets(dir: string): Promise<Map<string, WebAsset>> {
  const assets = new Map<string, WebAsset>();
  let files: string[];
  try {
    files = [];
    for await (const file of walk(dir)) files.push(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return assets;
    throw error;
  }
  const present = new Set(files);
  for (const file of files) {
    if (file.endsWith('.br') || file.endsWith('.gz')) continue;
    const body = new Uint8Array(await readFile(file));
    const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
    assets.set(urlPath, {
      body,
      br: present.has(`${file}.br`) ? new Uint8Array(await readFile(`${file}.br`)) : undefined,
      gzip: present.has(`${file}.gz`) ? new Uint8Array(await readFile(`${file}.gz`)) : undefined,
      contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      immutable: urlPath.startsWith('/assets/'),
    });
  }
  return assets;
}
