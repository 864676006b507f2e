/**
 * ATS round trip: what `pdftotext` (poppler) extracts from each rendered
 * resume must contain the name, every employer, position, date range,
 * institution and skill, in reading order, for every template.
 */
import { describe, expect, it } from 'vitest';
import { renderResume } from './render/render-resume.ts';
import type { Resume, TemplateId } from './render/resume-schema.ts';
import { FIXTURES, loadResume } from './test-support/fixtures.ts';
import { normalizeText, pdfToText } from './test-support/poppler.ts';

const TEMPLATES: TemplateId[] = ['classic', 'modern', 'compact'];

/** `2019-03-01` → `Mar 2019`, written independently of the renderer with Intl. */
function monthYear(value: string): string {
  const match = /^(\d{4})(?:-(\d{2}))?/.exec(value);
  if (!match?.[1]) return value;
  if (!match[2]) return match[1];
  const month = new Intl.DateTimeFormat('en-US', { month: 'short', timeZone: 'UTC' }).format(
    new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 15)),
  );
  return `${month} ${match[1]}`;
}

function dateRange(start?: string | null, end?: string | null): string | undefined {
  const from = start ? monthYear(start) : undefined;
  const to = end ? monthYear(end) : undefined;
  if (from && to) return from === to ? from : `${from} – ${to}`;
  return from ? `${from} – Present` : to;
}

/** The facts an ATS must recover, in the order a reader meets them. */
function expectedInOrder(resume: Resume): string[] {
  const facts: (string | null | undefined)[] = [resume.basics?.name];
  for (const job of resume.work ?? []) {
    facts.push(job.position, job.name ?? job.company, dateRange(job.startDate, job.endDate));
  }
  for (const school of resume.education ?? []) facts.push(school.institution);
  for (const skill of resume.skills ?? []) facts.push(skill.name, ...(skill.keywords ?? []));
  return facts.filter((f): f is string => typeof f === 'string' && f.trim() !== '');
}

function expectInReadingOrder(text: string, facts: string[]): void {
  const haystack = normalizeText(text);
  let cursor = 0;
  for (const fact of facts) {
    const needle = normalizeText(fact);
    const index = haystack.indexOf(needle, cursor);
    expect(
      index,
      `"${needle}" missing after position ${cursor} (near "${haystack.slice(cursor, cursor + 80)}")`,
    ).toBeGreaterThanOrEqual(0);
    cursor = index + needle.length;
  }
}

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
