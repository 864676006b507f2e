/**
 * Pieces of the platform's one OpenAPI 3.1 document that the router and the
 * cells share: the error body of lib/errors.ts, the bearer security scheme,
 * and helpers to describe JSON bodies and error answers. Each side describes
 * its own routes with the zod schemas those routes validate with
 * (router/openapi.ts, cell/api/openapi.ts); deploy/tools/openapi-document.ts
 * joins them into docs/openapi.json.
 */
import { z } from 'zod';
import type {
  ZodOpenApiOperationObject,
  ZodOpenApiPathsObject,
  ZodOpenApiResponseObject,
  ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { ERROR_STATUS, type ErrorCode } from './errors.ts';

export type { ZodOpenApiOperationObject, ZodOpenApiPathsObject };

const errorCodes = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** `{"error": {"code", "message", "requestId", "details"}}`: every 4xx and 5xx. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      requestId: z.string(),
      details: z.unknown().optional().meta({
        description:
          'For validation_failed: {"problems": [{"pointer", "message"}]}, one JSON pointer (RFC 6901) per problem',
      }),
    }),
  })
  .meta({ id: 'Error', description: 'The one error body of the platform' });

/** A JSON response described by `schema`. */
export function jsonResponse(description: string, schema: z.ZodType): ZodOpenApiResponseObject {
  return { description, content: { 'application/json': { schema } } };
}

/** A JSON request body validated by `schema`. */
export function jsonBody(schema: z.ZodType, required = true) {
  return { required, content: { 'application/json': { schema } } };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input: validation_failed (JSON pointer per problem), invalid_json or bad_request',
  401: 'Missing, malformed, expired or revoked token',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Body too large',
  415: 'Body is not application/json',
  422: 'Understood but not processable',
  429: 'Rate limited; Retry-After says when to retry',
  503: "The user's cell is unavailable; Retry-After says when to retry",
};

/** The error answers an operation may give, each with the one error body. */
export function errorResponses(...statuses: number[]): ZodOpenApiResponsesObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const status of statuses) {
    responses[`${status}` as `4${string}`] = jsonResponse(
      STATUS_TEXT[status] ?? 'Error',
      errorBodySchema,
    );
  }
  return responses;
}

/** A response whose JSON body the document does not describe field by field yet. */
export const jsonObject = z.looseObject({}).meta({ description: 'A JSON object' });

/** Hono's `/v1/jobs/:id` as OpenAPI's `/v1/jobs/{id}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
