/**
 * The PDF service's cover-letter route (`POST {PDF_SERVICE_URL}/v1/render-letter`):
 * the letter drawn with the resume's template, as PDF (stored and attached to
 * email submissions) or DOCX (rendered on demand), posted and answered as
 * resumes are (`postToPdfService`): unavailability raises `PdfUnavailableError`,
 * so the render step waits and retries.
 */
import {
  postToPdfService,
  type RenderedFile,
  type RenderedPdf,
  readRenderedFile,
  readRenderedPdf,
} from './pdf-renderer.ts';

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

export class HttpLetterRenderer implements LetterRenderer {
  private readonly url: string;
  constructor(private readonly options: { baseUrl: string; timeoutMs?: number }) {
    this.url = new URL('/v1/render-letter', options.baseUrl).toString();
  }

  private post(letter: LetterDocument, template: string, format: 'pdf' | 'docx') {
    return postToPdfService(
      this.url,
      { letter, template, ...(format === 'pdf' ? {} : { format }) },
      this.options.timeoutMs,
    );
  }

  async render(letter: LetterDocument, template: string): Promise<RenderedPdf> {
    return readRenderedPdf(await this.post(letter, template, 'pdf'));
  }

  async renderDocx(letter: LetterDocument, template: string): Promise<RenderedFile> {
    return readRenderedFile(await this.post(letter, template, 'docx'));
  }
}
