/**
 * The router's part of the OpenAPI document: the auth endpoints, account
 * deletion and the document itself, described with the zod schemas the routes
 * validate with. deploy/tools/openapi-document.ts joins it with the cell's part.
 */
import { z } from 'zod';
import {
  errorResponses,
  jsonBody,
  jsonObject,
  jsonResponse,
  type ZodOpenApiPathsObject,
} from '../lib/openapi.ts';
import { deleteAccountBody } from './routes/account-routes.ts';
import { loginBody, refreshBody, signupBody } from './routes/auth-routes.ts';

const sessionSchema = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
    cellId: z.string().optional().meta({ description: "The user's cell, when known" }),
    tokenType: z.literal('Bearer'),
    accessToken: z.string().meta({ description: 'A short-lived JWT for Authorization: Bearer' }),
    expiresIn: z.number().int().meta({ description: 'Seconds until the access token expires' }),
    refreshToken: z.string().meta({ description: 'Single use: /v1/auth/refresh rotates it' }),
    refreshExpiresIn: z.number().int().meta({ description: 'Seconds the refresh token lives' }),
  })
  .meta({ id: 'Session' });

const tags = ['auth'];

export const routerOpenApiPaths: ZodOpenApiPathsObject = {
  '/v1/auth/signup': {
    post: {
      tags,
      summary: 'Create an account and a session',
      security: [],
      requestBody: jsonBody(signupBody),
      responses: {
        '201': jsonResponse('The new account and its session', sessionSchema),
        ...errorResponses(400, 409, 415, 429, 503),
      },
    },
  },
  '/v1/auth/login': {
    post: {
      tags,
      summary: 'Start a session with email and password',
      security: [],
      requestBody: jsonBody(loginBody),
      responses: {
        '200': jsonResponse('A new session', sessionSchema),
        ...errorResponses(400, 401, 415, 429),
      },
    },
  },
  '/v1/auth/refresh': {
    post: {
      tags,
      summary: 'Exchange a refresh token for a new session (the old refresh token is spent)',
      security: [],
      requestBody: jsonBody(refreshBody),
      responses: {
        '200': jsonResponse('A new session', sessionSchema),
        ...errorResponses(400, 401, 415),
      },
    },
  },
  '/v1/auth/logout': {
    post: {
      tags,
      summary: 'Revoke a refresh token',
      security: [],
      requestBody: jsonBody(refreshBody),
      responses: { '204': { description: 'Revoked' }, ...errorResponses(400, 415) },
    },
  },
  '/v1/account': {
    delete: {
      tags: ['account'],
      summary: "Delete the account and every row of the user's data",
      requestBody: jsonBody(deleteAccountBody),
      responses: { '204': { description: 'Deleted' }, ...errorResponses(400, 401, 403, 503) },
    },
  },
  '/v1/openapi.json': {
    get: {
      tags: ['meta'],
      summary: 'This document',
      security: [],
      responses: { '200': jsonResponse('The OpenAPI 3.1 document', jsonObject) },
    },
  },
};
