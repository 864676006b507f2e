/**
 * The web app through a real router: the real Vite build, hashed files cached
 * for a year, index.html revalidated, brotli and gzip, a strict CSP, the app's
 * page paths answered with index.html, and /v1 untouched. Also the budget: the
 * JavaScript the first page loads stays under 150 KB gzipped.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/harness/databases.ts';
import { migrateControlPlane } from './control-plane/migrate.ts';
import { type RunningRouter, startRouter } from './testing/router-fixture.ts';

let db: TestDatabase;
let router: RunningRouter;
let distDir: string;

beforeAll(async () => {
  distDir = mkdtempSync(join(tmpdir(), 'web-dist-'));
  await build({
    configFile: 'web/vite.config.ts',
    logLevel: 'silent',
    build: { outDir: distDir },
  });
  db = await createTestDatabase(migrateControlPlane);
  router = await startRouter(db.url, { WEB_DIST_DIR: distDir });
});

afterAll(async () => {
  await router?.close();
  await db?.drop();
  rmSync(distDir, { recursive: true, force: true });
});

/** The script and stylesheet paths index.html loads first. */
function initialAssets(html: string): { scripts: string[]; styles: string[] } {
  const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1] as string);
  const preloads = [...html.matchAll(/<link rel="modulepreload"[^>]*href="([^"]+)"/g)].map(
    (m) => m[1] as string,
  );
  const styles = [...html.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+)"/g)].map(
    (m) => m[1] as string,
  );
  return { scripts: [...scripts, ...preloads], styles };
}

describe('happy: serving the built app', () => {
  it('serves index.html at / with no-cache, an ETag and a strict CSP', async () => {
    const res = await fetch(`${router.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await res.text();
    expect(html).toBe(readFileSync(join(distDir, 'index.html'), 'utf8'));
    // No inline script for the CSP to allow.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);

    const again = await fetch(`${router.url}/`, {
      headers: { 'if-none-match': res.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
  });

  it('answers the app page paths with index.html so a reload or a shared link works', async () => {
    for (const path of ['/login', '/signup', '/profile', '/profile?x=1']) {
      const res = await fetch(`${router.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="app"></div>');
    }
  });

  it('serves hashed assets immutable for a year, brotli or gzip as accepted, identical once decoded', async () => {
    const html = await (await fetch(`${router.url}/`)).text();
    const { scripts, styles } = initialAssets(html);
    expect(scripts.length).toBeGreaterThan(0);
    expect(styles.length).toBeGreaterThan(0);
    const path = scripts[0] as string;
    const original = readFileSync(join(distDir, path));

    const br = await fetch(`${router.url}${path}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(br.headers.get('vary')).toBe('accept-encoding');
    // fetch decodes brotli itself: the bytes are the file's.
    expect(Buffer.from(await br.arrayBuffer()).equals(original)).toBe(true);

    const { request } = await import('undici');
    const gz = await request(`${router.url}${path}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const compressed = Buffer.from(await gz.body.arrayBuffer());
    expect(compressed.length).toBeLessThan(original.length);
    expect(gunzipSync(compressed).equals(original)).toBe(true);

    const identity = await request(`${router.url}${path}`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(Buffer.from(await identity.body.arrayBuffer()).equals(original)).toBe(true);
  });

  it('keeps the JavaScript the first page loads under 150 KB gzipped', async () => {
    const html = await (await fetch(`${router.url}/`)).text();
    let gzipped = 0;
    for (const path of initialAssets(html).scripts) {
      const { request } = await import('undici');
      const res = await request(`${router.url}${path}`, { headers: { 'accept-encoding': 'gzip' } });
      gzipped += (await res.body.arrayBuffer()).byteLength;
    }
    expect(gzipped).toBeGreaterThan(1_000);
    expect(gzipped).toBeLessThan(150 * 1024);
  });
});

describe('error: what is not the app', () => {
  it('answers a missing asset 404 in the one error format, not index.html', async () => {
    for (const path of ['/assets/nope-123.js', '/favicon.png']) {
      const res = await fetch(`${router.url}${path}`);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { code: string; requestId: string } };
      expect(body.error.code).toBe('not_found');
      expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
    }
  });

  it('leaves /v1 to the API and /admin/v1, /health to their routes; /admin is the console page', async () => {
    const api = await fetch(`${router.url}/v1/profile`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    const admin = await fetch(`${router.url}/admin/v1/nothing`, {
      headers: { accept: 'text/html' },
    });
    expect(admin.status).toBe(401);
    expect(admin.headers.get('content-type')).toMatch(/^application\/json/);
    const page = await fetch(`${router.url}/admin`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const health = await fetch(`${router.url}/health/live`);
    expect(await health.json()).toEqual({ status: 'live' });
  });

  it('refuses writes to app paths with the one error format', async () => {
    const res = await fetch(`${router.url}/profile`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

describe('error: no build', () => {
  it('says the web app is not built instead of serving nothing', async () => {
    const bare = await startRouter(db.url, { WEB_DIST_DIR: join(distDir, 'missing') });
    try {
      const res = await fetch(`${bare.url}/`);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toContain('make web');
    } finally {
      await bare.close();
    }
  });
});
