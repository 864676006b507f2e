/**
 * ATS round trip: what `pdftotext` (poppler) extracts from each rendered
 * resume must contain the name, every employer, position, date range,
 * institution and skill, in reading order, for every template.
 */
import { describe, expect, it } from 'vitest';
import { renderResume } from './render/render-resume.ts';
import type { TemplateId } from './render/resume-schema.ts';
import { expectedInOrder, expectInReadingOrder } from './test-support/facts.ts';
import { FIXTURES, loadResume } from './test-support/fixtures.ts';
import { normalizeText, pdfToText } from './test-support/poppler.ts';

const TEMPLATES: TemplateId[] = ['classic', 'modern', 'compact'];

describe('ATS round trip through pdftotext', () => {
  for (const fixture of FIXTURES) {
    for (const template of TEMPLATES) {
      it(`recovers name, employers, positions, dates, institutions and skills in order: ${fixture} / ${template}`, async () => {
        const resume = loadResume(fixture);
        const { pdf } = await renderResume({ resume, template });
        const facts = expectedInOrder(resume);
        expect(facts.length).toBeGreaterThan(4);
        expectInReadingOrder(await pdfToText(pdf), facts);
      });
    }
  }

  it('recovers the sample resume in reading order with pdftotext -layout too', async () => {
    const resume = loadResume('sample');
    for (const template of TEMPLATES) {
      const { pdf } = await renderResume({ resume, template, pageSize: 'a4' });
      expectInReadingOrder(await pdfToText(pdf, { layout: true }), expectedInOrder(resume));
    }
  });

  it('extracts Greek, Cyrillic and accented Latin names and places exactly', async () => {
    const { pdf, uncovered } = await renderResume({
      resume: loadResume('international'),
      template: 'classic',
    });
    const text = normalizeText(await pdfToText(pdf));
    expect(uncovered).toEqual([]);
    for (const word of [
      'Δημήτρης Παπαδόπουλος',
      'Αθήνα',
      'Москва',
      'Île-de-France',
      'Škoda',
      'São Paulo',
      'Zürich',
      'Łańcuchy',
    ]) {
      expect(text).toContain(word);
    }
  });

  it('uses standard section headings', async () => {
    const { pdf } = await renderResume({ resume: loadResume('sample'), template: 'modern' });
    const text = await pdfToText(pdf);
    for (const heading of [
      'Summary',
      'Experience',
      'Education',
      'Skills',
      'Projects',
      'Volunteer',
      'Awards',
      'Publications',
      'Languages',
      'Interests',
      'References',
    ]) {
      expect(text).toMatch(new RegExp(`^\\f?${heading}$`, 'im'));
    }
  });
});
