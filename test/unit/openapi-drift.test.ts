/**
 * The OpenAPI document is the contract the web app's client is typed from, so
 * it must not drift from the code: every `/v1` route of the router's and the
 * cell's Hono apps is in it and nothing else is, and docs/openapi.json and the
 * web app's generated types are exactly what the routes' zod schemas give now.
 */
import { readFileSync } from 'node:fs';
import type { Hono, MiddlewareHandler } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp as createCellApp } from '../../cell/api/app.ts';
import type { CellServices } from '../../cell/services.ts';
import {
  OPENAPI_JSON_PATH,
  OPENAPI_TYPES_PATH,
  platformOpenApiDocument,
  renderOpenApi,
} from '../../deploy/tools/openapi-document.ts';
import { openApiPath } from '../../lib/openapi.ts';
import { createApp as createRouterApp } from '../../router/app.ts';
import type { RouterServices } from '../../router/services.ts';

const passThrough: MiddlewareHandler = async (_c, next) => {
  await next();
};
const logger = pino({ level: 'silent' });

// Only what the app factories touch while registering routes: no request is served here.
function cellApp(): Hono {
  const services = { logger, cellId: 'cell-1', metrics: { httpMiddleware: passThrough } };
  return createCellApp(services as unknown as CellServices, {
    routerSecret: 'x'.repeat(32),
    signatureMaxAgeMs: 30_000,
    bodyLimitBytes: 1_000_000,
  }) as unknown as Hono;
}

function routerApp(): Hono {
  const services = {
    logger,
    mapError: () => undefined,
    metrics: { base: { httpMiddleware: passThrough } },
  };
  return createRouterApp(services as unknown as RouterServices) as unknown as Hono;
}

/** `METHOD /openapi/path` of every endpoint an app serves under `/v1` or `/admin/v1` (middleware and `.all` fallbacks excluded). */
function publicOperations(app: Hono): string[] {
  return app.routes
    .filter((route) => route.method !== 'ALL' && /^\/(admin\/)?v1(\/|$)/.test(route.path))
    .map((route) => `${route.method} ${openApiPath(route.path.replace(/\/$/, ''))}`);
}

function documentedOperations(): string[] {
  const document = platformOpenApiDocument();
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item ?? {})
      .filter((key) => ['get', 'put', 'post', 'delete', 'patch'].includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('OpenAPI drift', () => {
  it('documents every /v1 and /admin/v1 route of the router and the cell, and nothing they do not serve', () => {
    const served = [...new Set([...publicOperations(routerApp()), ...publicOperations(cellApp())])];
    expect(served.length).toBeGreaterThan(25);
    expect(documentedOperations().sort()).toEqual(served.sort());
  });

  it('has docs/openapi.json and the web types regenerated after the last route or schema change (run `make openapi`)', async () => {
    const { json, types } = await renderOpenApi();
    expect(readFileSync(OPENAPI_JSON_PATH, 'utf8')).toBe(json);
    expect(readFileSync(OPENAPI_TYPES_PATH, 'utf8')).toBe(types);
  });

  it('describes request parameters and bodies from the zod schemas the routes validate with', () => {
    const document = platformOpenApiDocument();
    const jobs = document.paths?.['/v1/jobs']?.get;
    const names = (jobs?.parameters ?? []).map((p) => ('name' in p ? p.name : ''));
    expect(names).toEqual(['q', 'minScore', 'remote', 'location', 'status', 'limit', 'cursor']);
    const signup = document.paths?.['/v1/auth/signup']?.post?.requestBody;
    expect(JSON.stringify(signup)).toContain('"required":["email","password","name"]');
  });
});
