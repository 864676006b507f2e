/**
 * Every resume of the public import corpus also renders: the PDF service
 * accepts it, and pdftotext recovers its name and every fact from the text layer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderResume } from '../../shared-services/pdf/render/render-resume.ts';
import { renderRequestSchema } from '../../shared-services/pdf/render/resume-schema.ts';
import { allFacts, missingFacts } from '../../shared-services/pdf/test-support/facts.ts';
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

async function renderedFactsCheck(file: string): Promise<void> {
  const document = JSON.parse(readFileSync(new URL(file, CORPUS), 'utf8'));
  const request = renderRequestSchema.parse({ resume: document, template: 'classic' });
  const { pdf, pages } = await renderResume(request);
  expect(pages).toBeGreaterThanOrEqual(1);
  const text = await pdfToText(pdf);
  const name = normalizeText(nameOf(document));
  expect(name.trim()).not.toBe('');
  expect(normalizeText(text)).toContain(name);
  // Every fact an ATS reads: employers, positions, dates, schools, skills, highlights.
  expect(missingFacts(text, allFacts(request.resume))).toEqual([]);
}

describe('the JSON Resume import corpus', () => {
  it.each(files)('renders %s with its name and every fact in the text layer', renderedFactsCheck);
});
