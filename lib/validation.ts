/**
 * Request validation with zod: bodies, queries and params become typed values
 * or a 400 in the one error format, each problem named by its JSON pointer.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from './errors.ts';

export interface ValidationProblem {
  /** RFC 6901 JSON pointer into the input, e.g. `/work/0/startDate`. */
  pointer: string;
  message: string;
}

export function toJsonPointer(path: readonly PropertyKey[]): string {
  return path
    .map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('');
}

export function zodProblems(error: z.ZodError): ValidationProblem[] {
  return error.issues.map((issue) => ({
    pointer: toJsonPointer(issue.path),
    message: issue.message,
  }));
}

/** Parses `value` or throws `400 validation_failed` with one problem per issue. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what = 'body',
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError('validation_failed', `Invalid ${what}`, {
    details: { problems: zodProblems(result.error) },
  });
}

function requireJsonContentType(c: Context): void {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
    throw new ApiError('unsupported_media_type', 'Expected content-type application/json');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json', 'Request body is not valid JSON');
  }
}

/** Reads a JSON body: `415` when it is not JSON, `400 invalid_json` when it does not parse. */
export async function readJson(c: Context): Promise<unknown> {
  requireJsonContentType(c);
  return parseJson(await c.req.text());
}

/**
 * Reads a JSON Lines body (`application/x-ndjson`: one JSON document per line,
 * as `JSON.stringify` writes them): `415` for another type, `400 invalid_json`
 * naming the first line that does not parse (`/<line index>`), `400
 * validation_failed` for no document or more than `maxLines`.
 */
export async function readJsonLines(c: Context, options: { maxLines: number }): Promise<unknown[]> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(x-)?ndjson\b/i.test(type)) {
    throw new ApiError('unsupported_media_type', 'Expected content-type application/x-ndjson');
  }
  const lines = (await c.req.text()).split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0 || lines.length > options.maxLines) {
    throw new ApiError('validation_failed', 'Invalid request body', {
      details: {
        problems: [{ pointer: '', message: `expected 1 to ${options.maxLines} JSON lines` }],
      },
    });
  }
  // One line at a time, yielding in between: a batch of large documents does not hold the
  // event loop for the whole body.
  const documents: unknown[] = [];
  for (const [i, line] of lines.entries()) {
    if (i > 0) await yieldToEventLoop();
    try {
      documents.push(JSON.parse(line));
    } catch {
      throw new ApiError('invalid_json', `Line ${i + 1} of the request body is not valid JSON`, {
        details: { problems: [{ pointer: `/${i}`, message: 'not valid JSON' }] },
      });
    }
  }
  return documents;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSON body that will be stored as sent: its exact text and its value.
 * Bytes that are not UTF-8 are `400 invalid_json` rather than silently
 * replaced, so the stored text is what the client sent.
 */
export async function readJsonText(c: Context): Promise<{ text: string; value: unknown }> {
  requireJsonContentType(c);
  let text: string;
  try {
    text = strictUtf8.decode(await c.req.arrayBuffer());
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new ApiError('invalid_json', 'Request body is not valid UTF-8');
  }
  return { text, value: parseJson(text) };
}

/** Reads and validates a JSON body in one step. */
export async function readJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<z.infer<S>> {
  return validate(schema, await readJson(c));
}
