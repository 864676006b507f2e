/**
 * cellctl: the operators' CLI over the router's admin API.
 * Reads ROUTER_URL (default http://127.0.0.1:8080) and ADMIN_TOKEN from the environment.
 * Long operations (add-cell, rebalance, drain, move, unpin, cancel) wait for
 * the migration to end and show a live progress line; `--no-wait` returns at once.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OperationStatus } from '../migration/migration-store.ts';

const USAGE = `usage: cellctl <command>
  status                               cells (state, health, latency, users) and the running operation
  where <user-id|email>                a user's cell, why, and their ring owner
  add-cell <id> <url> [--weight N] [--no-rebalance]
                                       register a cell, then rebalance users onto it
  rebalance [--dry-run]                move every user whose cell is not their ring owner
                                       (--dry-run: users and bytes per source -> target)
  drain <cell>                         migrate every user off a cell; it ends drained
  activate <cell>                      let a drained/draining/down cell take users again
  remove <cell>                        unregister an empty cell (refused while it holds users)
  move <user-id|email> <cell> [reason] migrate one user to a cell and pin them there
  unpin <user-id|email>                migrate a pinned user back to their ring owner
  cancel                               stop the running operation (in-flight users roll back)
  operation [id]                       the running (or a given) operation's progress
  watch                                follow the running operation until it ends
  pins                                 users pinned to a cell (or placed by a signup fallback)
options: --no-wait (return once the operation started)
env: ROUTER_URL (default http://127.0.0.1:8080), ADMIN_TOKEN (required)`;

export interface CellctlEnv {
  ROUTER_URL?: string;
  ADMIN_TOKEN?: string;
}

export interface CellctlIo {
  /** Shows the live progress line (a terminal rewrites it in place). */
  progress?(line: string): void;
  /** @defaultValue 500 */
  pollMs?: number;
}

export class CellctlError extends Error {}

/** An operation as the admin API sends it: the store's status, its dates as JSON strings. */
type Operation = Omit<OperationStatus, 'createdAt' | 'finishedAt'> & {
  createdAt: string;
  finishedAt: string | null;
};

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
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new CellctlError(
      `${response.status}${error?.code ? ` ${error.code}` : ''}: ${error?.message ?? text}`,
    );
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

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** One line of an operation's progress. */
export function progressLine(op: Operation): string {
  const u = op.users;
  const done = u.moved + u.rolledBack + u.failed;
  const freeze = op.freezeMs.p99 === null ? '' : `  freeze p99 ${Math.round(op.freezeMs.p99)} ms`;
  return (
    `${op.kind}${op.cellId ? ` ${op.cellId}` : ''} ${op.id.slice(-8)} ${op.state}: ` +
    `${done}/${u.total} done (moved ${u.moved}, in flight ${u.inFlight}, rolled back ${u.rolledBack}, failed ${u.failed})` +
    `  ${megabytes(op.movedBytes)}${freeze}`
  );
}

const FINISHED = new Set(['completed', 'cancelled', 'failed']);

async function follow(env: CellctlEnv, io: CellctlIo, id: string): Promise<string> {
  for (;;) {
    const { operation } = (await call(env, 'GET', `/operations/${id}`)) as { operation: Operation };
    if (FINISHED.has(operation.state)) {
      const summary = progressLine(operation);
      return operation.error ? `${summary}\n${operation.error}` : summary;
    }
    io.progress?.(progressLine(operation));
    await new Promise((resolve) => setTimeout(resolve, io.pollMs ?? 500));
  }
}

async function startedOrDone(
  env: CellctlEnv,
  io: CellctlIo,
  wait: boolean,
  operation: Operation | null | undefined,
  nothing: string,
): Promise<string> {
  if (!operation) return nothing;
  if (!wait) return `${progressLine(operation)}\nfollow it with: cellctl watch`;
  return follow(env, io, operation.id);
}

function userPath(ref: string): string {
  return `/users/${encodeURIComponent(ref)}`;
}

/** Runs one command and returns what to print; throws {@link CellctlError} on failure. */
export async function runCellctl(
  argv: string[],
  env: CellctlEnv,
  io: CellctlIo = {},
): Promise<string> {
  const flags = new Set(argv.filter((a) => a.startsWith('--') && !a.includes('=')));
  const weightIndex = argv.indexOf('--weight');
  const weight = weightIndex >= 0 ? Number(argv[weightIndex + 1]) : undefined;
  const args = argv.filter(
    (a, i) => !a.startsWith('--') && (weightIndex < 0 || i !== weightIndex + 1),
  );
  const [command, ...rest] = args;
  const wait = !flags.has('--no-wait');
  const need = (count: number) => {
    if (rest.length < count) throw new CellctlError(USAGE);
  };
  switch (command) {
    case 'status': {
      const { cells } = (await call(env, 'GET', '/cells')) as { cells: Record<string, unknown>[] };
      const { operation } = (await call(env, 'GET', '/operations/current')) as {
        operation: Operation | null;
      };
      const lines = [
        table(cells, ['id', 'state', 'health', 'latencyMs', 'users', 'weight', 'url']),
      ];
      lines.push('', operation ? progressLine(operation) : 'no migration running');
      return lines.join('\n');
    }
    case 'where': {
      need(1);
      const where = (await call(
        env,
        'GET',
        `/placements/${encodeURIComponent(rest[0] ?? '')}`,
      )) as Record<string, unknown>;
      const why =
        where.reason === 'ring' ? 'ring' : `${where.reason}; the ring says ${where.ringCellId}`;
      return `${where.userId}${where.email ? ` <${where.email}>` : ''} lives on ${where.cellId} (${where.cellState}, ${where.cellHealth}${where.frozen ? ', frozen for a move' : ''}) because: ${why}`;
    }
    case 'add-cell': {
      need(2);
      const result = (await call(env, 'POST', '/cells', {
        id: rest[0],
        url: rest[1],
        ...(weight === undefined ? {} : { weight }),
        rebalance: !flags.has('--no-rebalance'),
      })) as {
        cell: { id: string; state: string };
        created: boolean;
        rebalance: string;
        operation: Operation | null;
      };
      const head = `${result.cell.id} ${result.created ? 'registered' : 'already registered'} (${result.cell.state})`;
      if (result.rebalance === 'migration_running') {
        return `${head}; a migration is running, run \`cellctl rebalance\` after it`;
      }
      const tail = await startedOrDone(env, io, wait, result.operation, 'no user needs to move');
      return `${head}\n${tail}`;
    }
    case 'rebalance': {
      const dryRun = flags.has('--dry-run');
      const result = (await call(env, 'POST', '/rebalance', { dryRun })) as {
        plan: {
          users: number;
          bytes?: number | null;
          bytesEstimated?: boolean;
          pairs: { from: string; to: string; users: number; bytes?: number | null }[];
        };
        operation: Operation | null;
      };
      if (dryRun) {
        const { plan } = result;
        if (plan.users === 0) return 'dry run: every user is on their ring owner; nothing to move';
        const rows = plan.pairs.map((p) => ({
          ...p,
          bytes: p.bytes === null || p.bytes === undefined ? 'unknown' : megabytes(p.bytes),
        }));
        const total =
          plan.bytes === null || plan.bytes === undefined ? 'unknown' : megabytes(plan.bytes);
        return `${table(rows, ['from', 'to', 'users', 'bytes'])}\ndry run: ${plan.users} users, ${total}${plan.bytesEstimated ? ' (estimated from a sample)' : ''}`;
      }
      return startedOrDone(
        env,
        io,
        wait,
        result.operation,
        'every user is on their ring owner; nothing to move',
      );
    }
    case 'drain': {
      need(1);
      const result = (await call(
        env,
        'POST',
        `/cells/${encodeURIComponent(rest[0] ?? '')}/drain`,
      )) as {
        cell: { id: string; state: string };
        operation: Operation | null;
      };
      const out = await startedOrDone(env, io, wait, result.operation, '');
      if (!wait && result.operation) return out;
      const { cells } = (await call(env, 'GET', '/cells')) as {
        cells: { id: string; state: string; users: number }[];
      };
      const cell = cells.find((c) => c.id === result.cell.id);
      const end = `${result.cell.id} is now ${cell?.state ?? result.cell.state} (${cell?.users ?? 0} users)`;
      return out ? `${out}\n${end}` : end;
    }
    case 'activate': {
      need(1);
      const { cell } = (await call(
        env,
        'POST',
        `/cells/${encodeURIComponent(rest[0] ?? '')}/activate`,
      )) as {
        cell: { id: string; state: string };
      };
      return `${cell.id} is now ${cell.state}`;
    }
    case 'remove': {
      need(1);
      await call(env, 'DELETE', `/cells/${encodeURIComponent(rest[0] ?? '')}`);
      return `${rest[0]} removed from the registry`;
    }
    case 'move': {
      need(2);
      const [user, cellId, ...reason] = rest;
      const result = (await call(env, 'POST', `${userPath(user ?? '')}/move`, {
        cellId,
        ...(reason.length ? { reason: reason.join(' ') } : {}),
      })) as { userId: string; operation: Operation | null };
      const out = await startedOrDone(env, io, wait, result.operation, '');
      return `${out}\n${result.userId} ${wait ? 'now lives on' : 'is moving to'} ${cellId} (pinned)`.trim();
    }
    case 'unpin': {
      need(1);
      const result = (await call(env, 'POST', `${userPath(rest[0] ?? '')}/unpin`)) as {
        userId: string;
        cellId: string;
        operation: Operation | null;
      };
      const out = await startedOrDone(env, io, wait, result.operation, '');
      return `${out}\n${result.userId} follows the ring again (${result.cellId})`.trim();
    }
    case 'cancel': {
      const { operation } = (await call(env, 'POST', '/operations/cancel')) as {
        operation: Operation;
      };
      return startedOrDone(env, io, wait, operation, '');
    }
    case 'operation': {
      const route = rest[0] ? `/operations/${encodeURIComponent(rest[0])}` : '/operations/current';
      const { operation } = (await call(env, 'GET', route)) as { operation: Operation | null };
      return operation ? progressLine(operation) : 'no migration running';
    }
    case 'watch': {
      const { operation } = (await call(env, 'GET', '/operations/current')) as {
        operation: Operation | null;
      };
      return operation ? follow(env, io, operation.id) : 'no migration running';
    }
    case 'pins': {
      const { overrides } = (await call(env, 'GET', '/overrides')) as {
        overrides: Record<string, unknown>[];
      };
      return overrides.length
        ? table(overrides, ['userId', 'cellId', 'reason'])
        : 'no pinned users';
    }
    default:
      throw new CellctlError(USAGE);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tty = process.stderr.isTTY;
  runCellctl(
    process.argv.slice(2),
    {
      // A CLI entry point reads its own environment; it is not a service process.
      ROUTER_URL: process.env.ROUTER_URL,
      ADMIN_TOKEN: process.env.ADMIN_TOKEN,
    },
    {
      progress: (line) => {
        if (tty) process.stderr.write(`\r\x1b[2K${line}`);
        else process.stderr.write(`${line}\n`);
      },
    },
  ).then(
    (output) => {
      if (tty) process.stderr.write('\r\x1b[2K');
      console.log(output);
    },
    (error: unknown) => {
      if (tty) process.stderr.write('\n');
      console.error(error instanceof CellctlError ? error.message : String(error));
      process.exit(error instanceof CellctlError && error.message === USAGE ? 64 : 1);
    },
  );
}
