import { describe, expect, it } from 'vitest';
import { mapCellDomainError } from '../../api/error-mapping.ts';
import {
  PdfRejectedError,
  type PdfRenderer,
  PdfServiceError,
  PdfUnavailableError,
} from '../applications/pdf-renderer.ts';
import { ValidationError } from '../errors.ts';
import { previewProfile } from './preview.ts';

const draft = { basics: { name: 'Ada Lovelace' } };

function failing(error: Error): PdfRenderer {
  return {
    render: () => Promise.reject(error),
    renderAs: () => Promise.reject(error),
  };
}

describe('previewProfile', () => {
  it('renders a valid draft with what an import would warn about', async () => {
    const renderer: PdfRenderer = {
      render: async (input) => {
        expect(input).toEqual({
          resume: { ...draft, basics: { ...draft.basics, url: '' } },
          template: 'compact',
        });
        return { pdf: Buffer.from('%PDF'), sha256: 'x', pages: 1, textLayer: 2 };
      },
      renderAs: () => Promise.reject(new Error('unused')),
    };
    const preview = await previewProfile(
      renderer,
      { ...draft, basics: { ...draft.basics, url: '' } },
      'compact',
    );
    expect(preview.pages).toBe(1);
    expect(preview.warnings.map((w) => w.pointer)).toContain('/basics/url');
  });

  it('refuses a draft an import would refuse before calling the PDF service', async () => {
    const error = await previewProfile(failing(new Error('not called')), [], 'modern').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
  });

  it("turns the PDF service's refusal into a validation error with its pointers", async () => {
    const refused = new PdfRejectedError('refused', [{ pointer: '/work/0/name', message: 'bad' }]);
    const error = await previewProfile(failing(refused), draft, 'modern').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      { pointer: '/work/0/name', message: 'bad' },
    ]);
    expect(mapCellDomainError(error)?.status).toBe(400);
  });

  it('answers a PDF service that is down with 503 and one that fails with 502, never 500', async () => {
    const down = await previewProfile(
      failing(new PdfUnavailableError('down', 2_000)),
      draft,
      'modern',
    ).catch((e: unknown) => e);
    expect(mapCellDomainError(down)?.status).toBe(503);
    expect(mapCellDomainError(down)?.headers['retry-after']).toBe('2');
    const broken = await previewProfile(failing(new PdfServiceError('500')), draft, 'modern').catch(
      (e: unknown) => e,
    );
    expect(mapCellDomainError(broken)?.status).toBe(502);
  });
});
