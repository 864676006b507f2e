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
import { CSRF_HEADER, REFRESH_COOKIE, REFRESH_COOKIE_PATH } from './routes/session-cookie.ts';

const sessionSchema = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
    cellId: z.string().optional().meta({ description: "The user's cell, when known" }),
    tokenType: z.literal('Bearer'),
    accessToken: z.string().meta({ description: 'A short-lived JWT for Authorization: Bearer' }),
    expiresIn: z.number().int().meta({ description: 'Seconds until the access token expires' }),
    refreshToken: z
      .string()
      .optional()
      .meta({
        description: `Single use: /v1/auth/refresh rotates it. Left out when the request sent ${CSRF_HEADER} (the browser keeps it only in the ${REFRESH_COOKIE} cookie)`,
      }),
    refreshExpiresIn: z.number().int().meta({ description: 'Seconds the refresh token lives' }),
  })
  .meta({ id: 'Session' });

const tags = ['auth'];

const csrfHeader = z.object({
  [CSRF_HEADER]: z
    .string()
    .optional()
    .meta({
      description: `Any value. Marks a cookie client (the web app): required whenever the ${REFRESH_COOKIE} cookie is used; the session body then leaves out refreshToken`,
    }),
});
const refreshCookie = z.object({
  [REFRESH_COOKIE]: z
    .string()
    .optional()
    .meta({
      description: `The refresh token, HttpOnly, SameSite=Strict, Path=${REFRESH_COOKIE_PATH}, Secure over TLS; read when there is no JSON body`,
    }),
});
const setsCookie = {
  'set-cookie': {
    description: `${REFRESH_COOKIE}=<refresh token>; Path=${REFRESH_COOKIE_PATH}; HttpOnly; SameSite=Strict (Secure over TLS)`,
    schema: { type: 'string' as const },
  },
};
const sessionResponse = (description: string) => ({
  ...jsonResponse(description, sessionSchema),
  headers: setsCookie,
});

export const routerOpenApiPaths: ZodOpenApiPathsObject = {
  '/v1/auth/signup': {
    post: {
      tags,
      summary: 'Create an account and a session',
      security: [],
      requestParams: { header: csrfHeader },
      requestBody: jsonBody(signupBody),
      responses: {
        '201': sessionResponse('The new account and its session'),
        ...errorResponses(400, 409, 415, 429, 503),
      },
    },
  },
  '/v1/auth/login': {
    post: {
      tags,
      summary: 'Start a session with email and password',
      security: [],
      requestParams: { header: csrfHeader },
      requestBody: jsonBody(loginBody),
      responses: {
        '200': sessionResponse('A new session'),
        ...errorResponses(400, 401, 415, 429),
      },
    },
  },
  '/v1/auth/refresh': {
    post: {
      tags,
      summary:
        'Exchange a refresh token (JSON body, or the cookie with the CSRF header) for a new session; the old token is spent',
      security: [],
      requestParams: { header: csrfHeader, cookie: refreshCookie },
      requestBody: jsonBody(refreshBody, false),
      responses: {
        '200': sessionResponse('A new session'),
        ...errorResponses(400, 401, 403, 415),
      },
    },
  },
  '/v1/auth/logout': {
    post: {
      tags,
      summary:
        'Revoke a refresh token (JSON body, or the cookie with the CSRF header) and clear the cookie',
      security: [],
      requestParams: { header: csrfHeader, cookie: refreshCookie },
      requestBody: jsonBody(refreshBody, false),
      responses: {
        '204': { description: 'Revoked; the cookie is cleared', headers: setsCookie },
        ...errorResponses(400, 401, 403, 415),
      },
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
