/**
 * The profile editor's live preview: a draft JSON Resume rendered through the
 * PDF service as the user's applications would be, without storing anything.
 * The draft is checked by the same rules as an import, so what previews is
 * what imports; the PDF service's own refusals come back with their pointers.
 */
import {
  PdfRejectedError,
  type PdfRenderer,
  type RenderedPdf,
  type ResumeTemplate,
} from '../applications/pdf-renderer.ts';
import { ValidationError } from '../errors.ts';
import { checkJsonResume, type ResumeCheck } from './json-resume.ts';

export interface ProfilePreview extends RenderedPdf {
  /** What an import of this draft would tolerate (and report). */
  warnings: ResumeCheck['warnings'];
}

export async function previewProfile(
  renderer: PdfRenderer,
  draft: unknown,
  template: ResumeTemplate,
): Promise<ProfilePreview> {
  const { problems, warnings } = checkJsonResume(draft);
  if (problems.length > 0) throw new ValidationError('Not a valid JSON Resume', problems);
  try {
    return { ...(await renderer.render({ resume: draft, template })), warnings };
  } catch (error) {
    if (error instanceof PdfRejectedError) {
      throw new ValidationError('The PDF service cannot render this draft', error.problems);
    }
    throw error;
  }
}
