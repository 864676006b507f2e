/**
 * Writes docs/openapi.json and the web app's API types from the routes' zod
 * schemas (`make openapi`). The drift test (test/unit/openapi-drift.test.ts)
 * fails until this has been run after a route or schema change.
 */
import { writeFileSync } from 'node:fs';
import { OPENAPI_JSON_PATH, OPENAPI_TYPES_PATH, renderOpenApi } from './openapi-document.ts';

const { json, types } = await renderOpenApi();
writeFileSync(OPENAPI_JSON_PATH, json);
writeFileSync(OPENAPI_TYPES_PATH, types);
console.log(`wrote ${OPENAPI_JSON_PATH} and ${OPENAPI_TYPES_PATH}`);
