/**
 * The PDF service client (`POST {PDF_SERVICE_URL}/v1/render`): the PDF the
 * workflow stores, and DOCX or plain text rendered on demand for download. A
 * service that is down, full (429) or unavailable raises `PdfUnavailableError`
 * with how long to wait: the render step waits and retries without spending an
 * attempt. Any other failure is a render error (the step has 2 attempts).
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { DomainError } from '../errors.ts';

export interface RenderInput {
  resume: unknown;
  template: string;
  emphasize?: string[];
}

/** The PDF service's templates (shared-services/pdf/render/templates.ts). */
export const RESUME_TEMPLATES = ['classic', 'modern', 'compact'] as const;
export type ResumeTemplate = (typeof RESUME_TEMPLATES)[number];

/** The formats the service renders beside PDF. */
export const DOWNLOAD_FORMATS = ['docx', 'txt'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

/** A DOCX or plain-text rendering, as the service sent it. */
export interface RenderedFile {
  bytes: Buffer;
  sha256: string;
  contentType: string;
}

export interface RenderedPdf {
  pdf: Buffer;
  sha256: string;
  pages: number | null;
  /** The service's `x-pdf-text-layer` stamp; null when it sent none. */
  textLayer: number | null;
  /** Characters no font could draw (`U+XXXX`, drawn as U+FFFD) and the fields holding them. */
  missingGlyphs?: { count: number; chars: string[]; fields: string[] };
}

function headerList(value: string | string[] | undefined): string[] {
  return typeof value === 'string' && value !== '' ? value.split(',') : [];
}

export interface PdfRenderer {
  render(input: RenderInput): Promise<RenderedPdf>;
  /** The same resume as DOCX or plain text, from the same content model as the PDF. */
  renderAs(input: RenderInput, format: DownloadFormat): Promise<RenderedFile>;
}

/** The service cannot take the render now; try again after `retryAfterMs`. */
export class PdfUnavailableError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The PDF service failed in a way that is neither the document's fault nor a pause (a 5xx). */
export class PdfServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfServiceError';
  }
}

/**
 * The PDF service refused the document itself (`400 validation_failed`), with
 * the JSON pointers of what it refused, relative to the resume.
 */
export class PdfRejectedError extends Error {
  constructor(
    message: string,
    readonly problems: { pointer: string; message: string }[],
  ) {
    super(message);
    this.name = 'PdfRejectedError';
  }
}

/** The problems of a PDF service `400`, their pointers made relative to the resume. */
function rejection(text: string): PdfRejectedError {
  let problems: { pointer: string; message: string }[] = [];
  try {
    const body = JSON.parse(text) as {
      error?: { details?: { problems?: { pointer?: unknown; message?: unknown }[] } };
    };
    problems = (body.error?.details?.problems ?? [])
      .filter((p) => typeof p.pointer === 'string' && typeof p.message === 'string')
      .map((p) => ({
        pointer: (p.pointer as string).replace(/^\/resume(?=\/|$)/, ''),
        message: p.message as string,
      }));
  } catch {
    // Not the one error format: the message below still says what happened.
  }
  return new PdfRejectedError(`PDF service refused the document: ${text.slice(0, 300)}`, problems);
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export interface HttpPdfRendererOptions {
  baseUrl: string;
  /** @defaultValue 15_000 */
  timeoutMs?: number;
}

type PdfServiceAnswer = Awaited<ReturnType<typeof request>>;

/**
 * Posts one JSON body to a PDF service route; a 200 answer is returned with
 * its body unread. Unreachable, 429, 503 or 504: {@link PdfUnavailableError}
 * (wait and retry). 400 or 413: {@link PdfRejectedError} (the document's
 * fault). Anything else: {@link PdfServiceError}.
 */
export async function postToPdfService(
  url: string,
  body: unknown,
  timeoutMs = 15_000,
): Promise<PdfServiceAnswer> {
  let res: PdfServiceAnswer;
  try {
    res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (UNAVAILABLE_CODES.has(code)) {
      throw new PdfUnavailableError(`PDF service unreachable (${code})`, 1_000);
    }
    throw error;
  }
  if (res.statusCode === 429 || res.statusCode === 503 || res.statusCode === 504) {
    await res.body.dump();
    const seconds = Number(res.headers['retry-after']);
    throw new PdfUnavailableError(
      `PDF service answered ${res.statusCode}`,
      Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : 1_000,
    );
  }
  if (res.statusCode === 400) throw rejection(await res.body.text());
  if (res.statusCode === 413) {
    await res.body.dump();
    throw new PdfRejectedError('PDF service refused the document: too large', [
      { pointer: '', message: 'is larger than the PDF service renders' },
    ]);
  }
  if (res.statusCode !== 200) {
    const text = await res.body.text();
    throw new PdfServiceError(`PDF service answered ${res.statusCode}: ${text.slice(0, 500)}`);
  }
  return res;
}

/** A rendered PDF from a 200 answer: its bytes, digest, pages and text-layer stamp. */
export async function readRenderedPdf(res: PdfServiceAnswer): Promise<RenderedPdf> {
  const pdf = Buffer.from(await res.body.arrayBuffer());
  const header = res.headers['x-content-sha256'];
  const pages = Number(res.headers['x-pdf-pages']);
  const textLayer = Number(res.headers['x-pdf-text-layer']);
  return {
    pdf,
    sha256: typeof header === 'string' ? header : createHash('sha256').update(pdf).digest('hex'),
    pages: Number.isFinite(pages) ? pages : null,
    textLayer: Number.isInteger(textLayer) && textLayer > 0 ? textLayer : null,
  };
}

/** A DOCX or plain-text rendering from a 200 answer. */
export async function readRenderedFile(res: PdfServiceAnswer): Promise<RenderedFile> {
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const header = res.headers['x-content-sha256'];
  const contentType = res.headers['content-type'];
  return {
    bytes,
    sha256: typeof header === 'string' ? header : createHash('sha256').update(bytes).digest('hex'),
    contentType: typeof contentType === 'string' ? contentType : 'application/octet-stream',
  };
}

export class HttpPdfRenderer implements PdfRenderer {
  private readonly url: string;
  constructor(private readonly options: HttpPdfRendererOptions) {
    this.url = new URL('/v1/render', options.baseUrl).toString();
  }

  private post(input: RenderInput, format: 'pdf' | DownloadFormat): Promise<PdfServiceAnswer> {
    return postToPdfService(
      this.url,
      {
        resume: input.resume,
        template: input.template,
        ...(input.emphasize && input.emphasize.length > 0
          ? { emphasize: input.emphasize.slice(0, 200) }
          : {}),
        ...(format === 'pdf' ? {} : { format }),
      },
      this.options.timeoutMs,
    );
  }

  async renderAs(input: RenderInput, format: DownloadFormat): Promise<RenderedFile> {
    return readRenderedFile(await this.post(input, format));
  }

  async render(input: RenderInput): Promise<RenderedPdf> {
    const res = await this.post(input, 'pdf');
    const rendered = await readRenderedPdf(res);
    if (!res.headers['x-pdf-uncovered-count']) return rendered;
    return {
      ...rendered,
      missingGlyphs: {
        count: Number(res.headers['x-pdf-uncovered-count']),
        chars: headerList(res.headers['x-pdf-uncovered-chars']),
        // The service names fields of its request; the variant is its `/resume`.
        fields: headerList(res.headers['x-pdf-uncovered-fields']).map((field) =>
          field.replace(/^\/resume/, ''),
        ),
      },
    };
  }
}
