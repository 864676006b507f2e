/** `GET /v1/openapi.json` through a real router: no token, the committed document, ETag revalidation. */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/harness/databases.ts';
import { migrateControlPlane } from './control-plane/migrate.ts';
import { type RunningRouter, startRouter } from './testing/router-fixture.ts';

let db: TestDatabase;
let router: RunningRouter;

beforeEach(async () => {
  db = await createTestDatabase(migrateControlPlane);
  router = await startRouter(db.url);
});

afterEach(async () => {
  await router.close();
  await db.drop();
});

describe('GET /v1/openapi.json', () => {
  it('serves the committed OpenAPI 3.1 document without a token, revalidated by ETag', async () => {
    const res = await fetch(`${router.url}/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const text = await res.text();
    expect(text).toBe(readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8'));
    const document = JSON.parse(text) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/v1/profile');

    const etag = res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"/);
    const again = await fetch(`${router.url}/v1/openapi.json`, {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
  });

  it('answers other methods with the one error format, not the proxy', async () => {
    const res = await fetch(`${router.url}/v1/openapi.json`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('method_not_allowed');
    expect(body.error.requestId).toBeTruthy();
  });
});
