/**
 * Every resume of the public import corpus also renders: the PDF service
 * accepts it, and pdftotext recovers its name from the text layer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderResume } from '../../shared-services/pdf/render/render-resume.ts';
import { renderRequestSchema } from '../../shared-services/pdf/render/resume-schema.ts';
import { normalizeText, pdfToText } from '../../shared-services/pdf/test-support/poppler.ts';

const CORPUS = new URL('../fixtures/jsonresume-corpus/', import.meta.url);
const files = readdirSync(CORPUS).filter((name) => name.endsWith('.json'));

interface Named {
  basics?: { name?: string };
  bio?: { firstName?: string; lastName?: string };
}

/** The name as a reader sees it: `basics.name`, or the oldest drafts' `bio` names. */
function nameOf(document: Named): string {
  const { firstName, lastName } = document.bio ?? {};
  return document.basics?.name ?? [firstName, lastName].filter(Boolean).join(' ');
}

/**
 * Imported, but the PDF service does not yet read this form of the name. When
 * it does, its test fails here: move the file back into the main list.
 */
const NAME_NOT_RENDERED: Record<string, string> = {
  'resume-schema-0.0.11.resume.json': 'the oldest drafts keep the name in `bio`, not `basics`',
};

async function renderedNameCheck(name: string): Promise<void> {
  const document = JSON.parse(readFileSync(new URL(name, CORPUS), 'utf8'));
  const request = renderRequestSchema.parse({ resume: document, template: 'classic' });
  const { pdf, pages } = await renderResume(request);
  expect(pages).toBeGreaterThanOrEqual(1);
  const text = normalizeText(await pdfToText(pdf));
  const expected = normalizeText(nameOf(document));
  expect(expected.trim()).not.toBe('');
  expect(text).toContain(expected);
}

describe('the JSON Resume import corpus', () => {
  it.each(files.filter((name) => !(name in NAME_NOT_RENDERED)))(
    'renders %s with its name in the text layer',
    renderedNameCheck,
  );

  it.fails.each(Object.keys(NAME_NOT_RENDERED))(
    'renders %s, but its name is not yet in the text layer',
    renderedNameCheck,
  );
});
