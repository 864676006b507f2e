/**
 * What went wrong with an API call, as the user should see it: the server's
 * message and request id from the one error body, the JSON pointer of each
 * validation problem, Retry-After, or a clear line when the server could not
 * be reached or answered something that is not our error format.
 */
import type { components } from './schema.gen.ts';

type ErrorBody = components['schemas']['Error'];

export interface FieldProblem {
  pointer: string;
  message: string;
}

export class ApiProblem extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId: string | undefined,
    readonly problems: FieldProblem[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

function problemsOf(details: unknown): FieldProblem[] {
  const { problems, violations } =
    (details as { problems?: unknown; violations?: unknown } | null | undefined) ?? {};
  const fields = Array.isArray(problems)
    ? problems.filter(
        (p): p is FieldProblem => typeof p?.pointer === 'string' && typeof p?.message === 'string',
      )
    : [];
  // A refused edit (`verification_failed`): each violation at the text it is in, with its words.
  if (Array.isArray(violations)) {
    for (const v of violations as { pointer?: unknown; reason?: unknown; value?: unknown }[]) {
      if (typeof v?.pointer !== 'string' || typeof v?.reason !== 'string') continue;
      const words = typeof v.value === 'string' && v.value !== '' ? ` ("${v.value}")` : '';
      fields.push({ pointer: v.pointer, message: `${v.reason}${words}` });
    }
  }
  return fields;
}

const FRIENDLY: Record<string, string> = {
  cell_unavailable: 'Your data is temporarily unavailable. Please try again in a moment.',
  rate_limited: 'Too many requests.',
  payload_too_large: 'That file is too large to import.',
};

/** The problem an error answer describes (`body` is its parsed JSON, if any). */
export function problemFromResponse(response: Response, body: unknown): ApiProblem {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
  const retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : undefined;
  if (isErrorBody(body)) {
    const { code, message } = body.error;
    const friendly = FRIENDLY[code];
    const text = friendly ? `${friendly} (${message})` : message;
    return new ApiProblem(
      retryAfterSeconds === undefined ? text : `${text} Retry in ${retryAfterSeconds} s.`,
      response.status,
      code,
      body.error.requestId || requestId,
      problemsOf(body.error.details),
      retryAfterSeconds,
    );
  }
  return new ApiProblem(
    `The server answered ${response.status} ${response.statusText || ''}`.trim(),
    response.status,
    'unexpected_response',
    requestId,
  );
}

export function networkProblem(error: unknown): ApiProblem {
  const detail = error instanceof Error ? `: ${error.message}` : '';
  return new ApiProblem(`Cannot reach the server${detail}`, 0, 'network_error', undefined);
}
