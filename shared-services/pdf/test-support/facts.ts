/**
 * The facts an ATS must recover from a resume's text layer, written
 * independently of the renderer (dates formatted with Intl), and the checks
 * that they are in the text, in reading order.
 */
import { expect } from 'vitest';
import type { Resume } from '../render/resume-schema.ts';
import { normalizeText } from './poppler.ts';

/** `2019-03-01` → `Mar 2019`. */
function monthYear(value: string): string {
  const match = /^(\d{4})(?:-(\d{2}))?/.exec(value);
  if (!match?.[1]) return value;
  if (!match[2]) return match[1];
  const month = new Intl.DateTimeFormat('en-US', { month: 'short', timeZone: 'UTC' }).format(
    new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 15)),
  );
  return `${month} ${match[1]}`;
}

/** A job's dates as the resume shows them: `Mar 2019 – Present`. */
export function dateRange(start?: string | null, end?: string | null): string | undefined {
  const from = start ? monthYear(start) : undefined;
  const to = end ? monthYear(end) : undefined;
  if (from && to) return from === to ? from : `${from} – ${to}`;
  return from ? `${from} – Present` : to;
}

function present(facts: (string | null | undefined)[]): string[] {
  return facts.filter((f): f is string => typeof f === 'string' && f.trim() !== '');
}

/** Name, employers, positions, date ranges, institutions and skills, in the order a reader meets them. */
export function expectedInOrder(resume: Resume): string[] {
  const facts: (string | null | undefined)[] = [resume.basics?.name];
  for (const job of resume.work ?? []) {
    facts.push(job.position, job.name ?? job.company, dateRange(job.startDate, job.endDate));
  }
  for (const school of resume.education ?? []) facts.push(school.institution);
  for (const skill of resume.skills ?? []) facts.push(skill.name, ...(skill.keywords ?? []));
  return present(facts);
}

/** Every fact an ATS reads: the ordered facts plus label, email, phone and every work highlight. */
export function allFacts(resume: Resume): string[] {
  const facts: (string | null | undefined)[] = [
    resume.basics?.label,
    resume.basics?.email,
    resume.basics?.phone,
  ];
  for (const job of resume.work ?? []) facts.push(...(job.highlights ?? []));
  return [...expectedInOrder(resume), ...present(facts)];
}

/** The facts of `facts` that `text` (pdftotext output) does not contain. */
export function missingFacts(text: string, facts: readonly string[]): string[] {
  const haystack = normalizeText(text);
  return facts.filter((fact) => !haystack.includes(normalizeText(fact)));
}

export function expectInReadingOrder(text: string, facts: string[]): void {
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
