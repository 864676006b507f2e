/**
 * cellctl: the operators' CLI over the router's admin API.
 * Reads ROUTER_URL (default http://127.0.0.1:8080) and ADMIN_TOKEN from the environment.
 *
 *   cellctl status                               cells with state, health, latency, users
 *   cellctl where <user-id|email>                the user's cell and why (ring or override)
 *   cellctl drain <cell>                         stop serving a cell's users (503 cell_draining)
 *   cellctl activate <cell>                      serve them again
 *   cellctl override list                        every override in force
 *   cellctl override set <user-id> <cell> [reason]
 *   cellctl override clear <user-id>
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = `usage: cellctl <command>
  status                               list cells with state, health, latency and user counts
  where <user-id|email>                show a user's cell and why (ring or override)
  drain <cell>                         drain a cell (its users get 503 cell_draining)
  activate <cell>                      activate a cell again
  override list                        list placement overrides
  override set <user-id> <cell> [reason]   pin a user to a cell
  override clear <user-id>             remove a user's override
env: ROUTER_URL (default http://127.0.0.1:8080), ADMIN_TOKEN (required)`;

export interface CellctlEnv {
  ROUTER_URL?: string;
  ADMIN_TOKEN?: string;
}

export class CellctlError extends Error {}

async function call(env: CellctlEnv, method: string, route: string, body?: unknown) {
  if (!env.ADMIN_TOKEN) throw new CellctlError('ADMIN_TOKEN is required');
  const base = (env.ROUTER_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/admin/v1${route}`, {
      method,
      headers: {
        authorization: `Bearer ${env.ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new CellctlError(`cannot reach the router at ${base}: ${String(error)}`);
  }
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const message =
      (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? text;
    throw new CellctlError(`${response.status}: ${message}`);
  }
  return parsed;
}

function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((row) => columns.map((column) => String(row[column] ?? '-')));
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Runs one command and returns what to print; throws {@link CellctlError} on failure. */
export async function runCellctl(args: string[], env: CellctlEnv): Promise<string> {
  const [command, ...rest] = args;
  const need = (count: number) => {
    if (rest.length < count) throw new CellctlError(USAGE);
  };
  switch (command) {
    case 'status': {
      const { cells } = (await call(env, 'GET', '/cells')) as { cells: Record<string, unknown>[] };
      return table(cells, ['id', 'state', 'health', 'latencyMs', 'users', 'weight', 'url']);
    }
    case 'where': {
      need(1);
      const where = (await call(
        env,
        'GET',
        `/placements/${encodeURIComponent(rest[0] ?? '')}`,
      )) as Record<string, unknown>;
      const why =
        where.reason === 'override'
          ? `override (${where.overrideReason}); the ring says ${where.ringCellId}`
          : 'ring';
      return `${where.userId}${where.email ? ` <${where.email}>` : ''} lives on ${where.cellId} (${where.cellState}, ${where.cellHealth}) because: ${why}`;
    }
    case 'drain':
    case 'activate': {
      need(1);
      const { cell } = (await call(
        env,
        'POST',
        `/cells/${encodeURIComponent(rest[0] ?? '')}/${command}`,
      )) as {
        cell: { id: string; state: string };
      };
      return `${cell.id} is now ${cell.state}`;
    }
    case 'override': {
      const [action, userId, cellId, ...reason] = rest;
      if (action === 'list') {
        const { overrides } = (await call(env, 'GET', '/overrides')) as {
          overrides: Record<string, unknown>[];
        };
        return overrides.length ? table(overrides, ['userId', 'cellId', 'reason']) : 'no overrides';
      }
      if (action === 'set' && userId && cellId) {
        await call(env, 'PUT', `/overrides/${encodeURIComponent(userId)}`, {
          cellId,
          ...(reason.length ? { reason: reason.join(' ') } : {}),
        });
        return `${userId} pinned to ${cellId}`;
      }
      if (action === 'clear' && userId) {
        await call(env, 'DELETE', `/overrides/${encodeURIComponent(userId)}`);
        return `override of ${userId} cleared; the ring places the user again`;
      }
      throw new CellctlError(USAGE);
    }
    default:
      throw new CellctlError(USAGE);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runCellctl(process.argv.slice(2), {
    // A CLI entry point reads its own environment; it is not a service process.
    ROUTER_URL: process.env.ROUTER_URL,
    ADMIN_TOKEN: process.env.ADMIN_TOKEN,
  }).then(
    (output) => console.log(output),
    (error: unknown) => {
      console.error(error instanceof CellctlError ? error.message : String(error));
      process.exit(error instanceof CellctlError && error.message === USAGE ? 64 : 1);
    },
  );
}
