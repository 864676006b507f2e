/**
 * The operator API (`/admin/v1/*`, `Authorization: Bearer <ADMIN_TOKEN>`) in
 * the OpenAPI document, so the operator console's client is typed like the
 * job seeker's. Request bodies are the zod schemas the routes validate with;
 * responses describe what router/admin and router/migration return.
 */
import { z } from 'zod';
import {
  errorResponses,
  jsonBody,
  jsonResponse,
  type ZodOpenApiPathsObject,
} from '../lib/openapi.ts';
import { CELL_STATES } from './control-plane/control-plane-store.ts';
import { addCellBody, moveBody, rebalanceBody } from './routes/admin-routes.ts';

const tags = ['admin'];
const security = [{ adminToken: [] }];

const cellRecord = z
  .object({ id: z.string(), url: z.string(), weight: z.number().int(), state: z.enum(CELL_STATES) })
  .meta({ id: 'CellRecord' });

const cellStatus = cellRecord
  .extend({
    health: z.enum(['up', 'down']).meta({ description: "The router's view of the cell" }),
    latencyMs: z.number().nullable().meta({ description: 'Of the last readiness check' }),
    lastCheckedAt: z.string().nullable(),
    lastError: z.string().nullable(),
    users: z.number().int().meta({ description: 'Users placed on the cell' }),
  })
  .meta({ id: 'CellStatus' });

const operation = z
  .object({
    id: z.string(),
    kind: z.enum(['rebalance', 'drain', 'move']),
    state: z.enum(['running', 'cancelling', 'completed', 'cancelled', 'failed']),
    cellId: z.string().nullable().meta({ description: 'The drained cell, for a drain' }),
    error: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    users: z.object({
      total: z.number().int(),
      planned: z.number().int(),
      inFlight: z.number().int(),
      moved: z.number().int(),
      rolledBack: z.number().int(),
      failed: z.number().int(),
    }),
    movedBytes: z.number().int(),
    freezeMs: z.object({
      p50: z.number().nullable(),
      p99: z.number().nullable(),
      max: z.number().nullable(),
    }),
  })
  .meta({ id: 'MigrationOperation' });

const pair = z.object({ from: z.string(), to: z.string(), users: z.number().int() });
const plan = z
  .object({
    users: z.number().int(),
    bytes: z.number().int().nullable().optional().meta({ description: 'Dry runs only' }),
    bytesEstimated: z.boolean().optional(),
    pairs: z.array(pair.extend({ bytes: z.number().int().nullable().optional() })),
  })
  .meta({ id: 'MigrationPlan' });

const placement = z
  .object({
    userId: z.string(),
    email: z.string().nullable(),
    cellId: z.string(),
    reason: z.string().meta({ description: 'ring, fallback, or a pin (pinned, quarantine, …)' }),
    frozen: z.boolean(),
    ringCellId: z.string().nullable(),
    cellState: z.enum(CELL_STATES),
    cellHealth: z.enum(['up', 'down']),
  })
  .meta({ id: 'Placement' });

const cellPath = z.object({ cellId: z.string() });
const userPath = z.object({ user: z.string().meta({ description: 'A user id or an email' }) });
const operationOrNull = z.object({ operation: operation.nullable() });
const moveResult = z.object({
  userId: z.string(),
  cellId: z.string().optional(),
  operation: operation.nullable(),
});

export const adminOpenApiPaths: ZodOpenApiPathsObject = {
  '/admin/v1/cells': {
    get: {
      tags,
      security,
      summary: 'Every registered cell with its state, health and user count',
      responses: {
        '200': jsonResponse('The cells', z.object({ cells: z.array(cellStatus) })),
        ...errorResponses(401),
      },
    },
    post: {
      tags,
      security,
      summary: 'Register (or update) a cell, then rebalance unless rebalance is false',
      requestBody: jsonBody(addCellBody),
      responses: {
        '201': jsonResponse(
          'Registered',
          z.object({
            cell: cellRecord,
            created: z.boolean(),
            rebalance: z.enum(['started', 'nothing_to_move', 'skipped', 'migration_running']),
            operation: operation.nullable(),
          }),
        ),
        ...errorResponses(400, 401, 415),
      },
    },
  },
  '/admin/v1/cells/{cellId}': {
    delete: {
      tags,
      security,
      summary: 'Unregister a cell with no users (409 cell_not_empty otherwise)',
      requestParams: { path: cellPath },
      responses: { '204': { description: 'Removed' }, ...errorResponses(401, 404, 409) },
    },
  },
  '/admin/v1/cells/{cellId}/drain': {
    post: {
      tags,
      security,
      summary: 'Drain a cell with migration: its users move to their ring owners among the others',
      requestParams: { path: cellPath },
      responses: {
        '202': jsonResponse(
          'The drain runs',
          z.object({ cell: cellRecord, operation: operation.nullable() }),
        ),
        ...errorResponses(401, 404, 409),
      },
    },
  },
  '/admin/v1/cells/{cellId}/activate': {
    post: {
      tags,
      security,
      summary: 'Make a drained, draining or down cell active again',
      requestParams: { path: cellPath },
      responses: {
        '200': jsonResponse('Active', z.object({ cell: cellRecord })),
        ...errorResponses(401, 404, 409),
      },
    },
  },
  '/admin/v1/rebalance': {
    post: {
      tags,
      security,
      summary: "Move every user whose cell is not their ring owner's (dryRun: only the plan)",
      requestBody: jsonBody(rebalanceBody, false),
      responses: {
        '202': jsonResponse(
          'Started, or the plan of a dry run',
          z.object({ dryRun: z.boolean(), plan, operation: operation.nullable() }),
        ),
        ...errorResponses(400, 401, 409, 415),
      },
    },
  },
  '/admin/v1/placements/{user}': {
    get: {
      tags,
      security,
      summary: 'Where a user lives, and why',
      requestParams: { path: userPath },
      responses: {
        '200': jsonResponse('The placement', placement),
        ...errorResponses(400, 401, 404),
      },
    },
  },
  '/admin/v1/overrides': {
    get: {
      tags,
      security,
      summary: 'Placements that do not simply follow the ring (pins and signup fallbacks)',
      responses: {
        '200': jsonResponse(
          'The overrides',
          z.object({
            overrides: z.array(
              z.object({ userId: z.string(), cellId: z.string(), reason: z.string() }),
            ),
          }),
        ),
        ...errorResponses(401),
      },
    },
  },
  '/admin/v1/users/{user}/move': {
    post: {
      tags,
      security,
      summary: 'Migrate one user to a named cell and pin them there',
      requestParams: { path: userPath },
      requestBody: jsonBody(moveBody),
      responses: {
        '202': jsonResponse('The move runs', moveResult),
        ...errorResponses(400, 401, 404, 409, 415),
      },
    },
  },
  '/admin/v1/users/{user}/unpin': {
    post: {
      tags,
      security,
      summary: 'Unpin a user and migrate them back to their ring owner',
      requestParams: { path: userPath },
      responses: {
        '202': jsonResponse('The move back runs (or nothing had to move)', moveResult),
        ...errorResponses(401, 404, 409),
      },
    },
  },
  '/admin/v1/operations': {
    get: {
      tags,
      security,
      summary: 'Recent migration operations, newest first',
      responses: {
        '200': jsonResponse('Operations', z.object({ operations: z.array(operation) })),
        ...errorResponses(401),
      },
    },
  },
  '/admin/v1/operations/current': {
    get: {
      tags,
      security,
      summary: 'The running operation with its progress, or null',
      responses: { '200': jsonResponse('The operation', operationOrNull), ...errorResponses(401) },
    },
  },
  '/admin/v1/operations/cancel': {
    post: {
      tags,
      security,
      summary: 'Cancel the running operation: moved users stay, users in flight roll back',
      responses: {
        '202': jsonResponse('Cancelling', operationOrNull),
        ...errorResponses(401, 409),
      },
    },
  },
  '/admin/v1/operations/{id}': {
    get: {
      tags,
      security,
      summary: 'One operation with its progress',
      requestParams: { path: z.object({ id: z.string() }) },
      responses: {
        '200': jsonResponse('The operation', z.object({ operation })),
        ...errorResponses(401, 404),
      },
    },
  },
};
