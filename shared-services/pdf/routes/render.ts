/**
 * `POST /v1/render` (a resume) and `POST /v1/render-letter` (a cover letter): validate, render
 * in the pool, answer with the PDF, DOCX or text and its hash.
 */
import { type Context, Hono } from 'hono';
import { ApiError } from '../../../lib/errors.ts';
import {
  checkJsonText,
  jsonTextProblems,
  RESUME_TEXT_LIMITS,
} from '../../../lib/json-text-limits.ts';
import { readJsonBody } from '../../../lib/validation.ts';
import type { PdfEnv } from '../env.ts';
import { CONTENT_TYPES, type DocumentInput } from '../render/render-document.ts';
import { letterRenderRequestSchema, renderRequestSchema } from '../render/resume-schema.ts';
import { TEXT_LAYER_VERSION } from '../render/text-layer.ts';

/** At most this many code points are listed in `x-pdf-uncovered-chars`; the count is always exact. */
const UNCOVERED_HEADER_LIMIT = 64;
/** At most this many fields are listed in `x-pdf-uncovered-fields`. */
const UNCOVERED_FIELDS_LIMIT = 32;

/** JSON pointers of the request's strings that hold one of `labels` (`U+XXXX`). */
function fieldsWith(request: unknown, labels: readonly string[]): string[] {
  const codePoints = new Set(labels.map((label) => Number.parseInt(label.slice(2), 16)));
  const fields: string[] = [];
  checkJsonText(request, RESUME_TEXT_LIMITS, {
    problem: () => {},
    value: (pointer, value) => {
      if (value === null || fields.length >= UNCOVERED_FIELDS_LIMIT) return;
      for (const char of value.normalize('NFC')) {
        if (codePoints.has(char.codePointAt(0) ?? -1)) {
          fields.push(pointer);
          return;
        }
      }
    },
  });
  return fields;
}

/** Renders a validated request and answers with the document, its hash and its checks. */
async function answer(
  c: Context<PdfEnv>,
  request: DocumentInput,
  name: 'resume' | 'cover-letter',
): Promise<Response> {
  // Text nobody typed (lone surrogates, control characters), giant strings and deep nesting.
  const problems = jsonTextProblems(request, RESUME_TEXT_LIMITS);
  if (problems.length > 0) {
    throw new ApiError('validation_failed', 'Invalid body', { details: { problems } });
  }
  const result = await c.get('services').renderer.render(request);
  const etag = `"sha256-${result.sha256}"`;
  const headers: Record<string, string> = {
    etag,
    'x-content-sha256': result.sha256,
    'cache-control': 'no-cache',
  };
  if (result.format === 'pdf') {
    headers['x-pdf-pages'] = String(result.pages);
    headers['x-pdf-text-layer'] = String(TEXT_LAYER_VERSION);
  }
  if (result.uncovered.length > 0) {
    headers['x-pdf-uncovered-count'] = String(result.uncovered.length);
    headers['x-pdf-uncovered-chars'] = result.uncovered.slice(0, UNCOVERED_HEADER_LIMIT).join(',');
    // Which fields hold them, so the user can find what will not print.
    headers['x-pdf-uncovered-fields'] = fieldsWith(request, result.uncovered).join(',');
  }
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
  return c.body(result.bytes as Uint8Array<ArrayBuffer>, 200, {
    ...headers,
    'content-type': CONTENT_TYPES[result.format],
    // PDF opens in the browser; DOCX and text are files to save.
    'content-disposition':
      result.format === 'pdf'
        ? `inline; filename="${name}.pdf"`
        : `attachment; filename="${name}.${result.format}"`,
  });
}

export const renderRoutes = new Hono<PdfEnv>()
  .post('/render', async (c) => answer(c, await readJsonBody(c, renderRequestSchema), 'resume'))
  .post('/render-letter', async (c) =>
    answer(c, await readJsonBody(c, letterRenderRequestSchema), 'cover-letter'),
  );
