/**
 * The PDF service's cover-letter route (`POST {PDF_SERVICE_URL}/v1/render-letter`):
 * the letter drawn with the resume's template, as PDF (stored and attached to
 * email submissions) or DOCX (rendered on demand). Unavailability raises
 * `PdfUnavailableError` as for resumes, so the render step waits and retries.
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { PdfUnavailableError, type RenderedFile, type RenderedPdf } from './pdf-renderer.ts';

export interface LetterDocument {
  name?: string;
  contact?: string[];
  recipient?: string;
  salutation: string;
  paragraphs: string[];
  closing: string;
  signature?: string;
}

export interface LetterRenderer {
  render(letter: LetterDocument, template: string): Promise<RenderedPdf>;
  renderDocx(letter: LetterDocument, template: string): Promise<RenderedFile>;
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

export class HttpLetterRenderer implements LetterRenderer {
  private readonly url: string;
  constructor(private readonly options: { baseUrl: string; timeoutMs?: number }) {
    this.url = new URL('/v1/render-letter', options.baseUrl).toString();
  }

  private async post(letter: LetterDocument, template: string, format: 'pdf' | 'docx') {
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ letter, template, ...(format === 'pdf' ? {} : { format }) }),
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
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      throw new Error(`PDF service answered ${res.statusCode}: ${text.slice(0, 500)}`);
    }
    return res;
  }

  async render(letter: LetterDocument, template: string): Promise<RenderedPdf> {
    const res = await this.post(letter, template, 'pdf');
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

  async renderDocx(letter: LetterDocument, template: string): Promise<RenderedFile> {
    const res = await this.post(letter, template, 'docx');
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const header = res.headers['x-content-sha256'];
    const contentType = res.headers['content-type'];
    return {
      bytes,
      sha256:
        typeof header === 'string' ? header : createHash('sha256').update(bytes).digest('hex'),
      contentType: typeof contentType === 'string' ? contentType : 'application/octet-stream',
    };
  }
}
