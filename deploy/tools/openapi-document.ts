/**
 * The platform's one OpenAPI 3.1 document: the router's paths and the cell's
 * paths, each described from the zod schemas its routes validate with, joined
 * here because only deploy/ may import both. `renderOpenApi()` gives the
 * document as written to docs/openapi.json and the TypeScript types the web
 * app's client is typed with (web/src/api/schema.gen.ts, by openapi-typescript).
 */
import openapiTS from 'openapi-typescript';
import { createDocument } from 'zod-openapi';
import { cellOpenApiPaths } from '../../cell/api/openapi.ts';
import { adminOpenApiPaths } from '../../router/admin-openapi.ts';
import { routerOpenApiPaths } from '../../router/openapi.ts';

export const OPENAPI_JSON_PATH = 'docs/openapi.json';
export const OPENAPI_TYPES_PATH = 'web/src/api/schema.gen.ts';

export function platformOpenApiDocument() {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Cellular resume-automation platform',
      version: '1',
      description:
        'Every /v1 request goes through the router, which authenticates it and forwards it to the user\'s cell. Errors share one body: {"error": {"code", "message", "requestId", "details"}}.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths: { ...routerOpenApiPaths, ...cellOpenApiPaths, ...adminOpenApiPaths },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: "The router's ADMIN_TOKEN, for /admin/v1 (the operator API)",
        },
      },
    },
  });
}

/** The document's JSON text and its TypeScript types, exactly as committed. */
export async function renderOpenApi(): Promise<{ json: string; types: string }> {
  const document = platformOpenApiDocument();
  const json = `${JSON.stringify(document, null, 2)}\n`;
  const generated = await openapiTS(JSON.parse(json), { exportType: false });
  const types = `// Generated from ${OPENAPI_JSON_PATH} by \`make openapi\`; do not edit.\n${generated}`;
  return { json, types };
}
