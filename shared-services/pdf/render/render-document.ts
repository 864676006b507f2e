/**
 * `renderDocument`: one resume in any of the service's formats. PDF, DOCX and
 * plain text are all drawn from the same {@link ResumeModel}, so they carry
 * the same facts in the same order; only PDF needs the template's fonts to
 * cover the text (DOCX and plain text keep every character, the reader's
 * software picks the fonts).
 */
import { createHash } from 'node:crypto';
import { renderDocx } from './render-docx.ts';
import { buildModel, type RenderInput, renderResume } from './render-resume.ts';
import { renderPlainText } from './render-text.ts';
import { ModelBuilder } from './resume-model.ts';
import type { DocumentFormat } from './resume-schema.ts';
import { TEMPLATES } from './templates.ts';
import { PLAIN_TEXT } from './text-coverage.ts';

export type DocumentInput = RenderInput & {
  /** @defaultValue 'pdf' */
  format?: DocumentFormat;
};

export interface RenderedDocument {
  format: DocumentFormat;
  bytes: Uint8Array;
  /** Hex SHA-256 of `bytes`, usable as a cache key and ETag. */
  sha256: string;
  /** Pages, for PDF only (Word paginates a DOCX itself). */
  pages?: number;
  /** PDF only: code points drawn as U+FFFD because no font covers them, as `U+XXXX`. */
  uncovered: string[];
}

export const CONTENT_TYPES: Record<DocumentFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain; charset=utf-8',
};

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export async function renderDocument(input: DocumentInput): Promise<RenderedDocument> {
  const format = input.format ?? 'pdf';
  if (format === 'pdf') {
    const { pdf, pages, sha256, uncovered } = await renderResume(input);
    return { format, bytes: pdf, sha256, pages, uncovered };
  }
  const emphasize = (input.emphasize ?? []).map((keyword) => PLAIN_TEXT.clean(keyword));
  const model = buildModel(new ModelBuilder(PLAIN_TEXT, emphasize), input);
  const bytes =
    format === 'docx'
      ? await renderDocx(model, {
          template: TEMPLATES[input.template],
          pageSize: input.pageSize,
          keywords: emphasize,
        })
      : new TextEncoder().encode(renderPlainText(model));
  return { format, bytes, sha256: sha256Of(bytes), uncovered: [] };
}
