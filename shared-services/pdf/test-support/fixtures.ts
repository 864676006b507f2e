/** Loads the JSON Resume fixtures copied into this service (see test-fixtures/jsonresume/LICENSE.md). */
import { readFileSync } from 'node:fs';
import type { Resume } from '../render/resume-schema.ts';

export const FIXTURES = [
  'sample',
  'one-page',
  'three-page',
  'international',
  'legacy-variant',
  'sparse',
] as const;

/** Resumes in right-to-left and East Asian scripts, written for these tests. */
export const SCRIPT_FIXTURES = ['arabic', 'cjk'] as const;

export type FixtureName =
  | (typeof FIXTURES)[number]
  | (typeof SCRIPT_FIXTURES)[number]
  | 'cjk-mixed';

export function loadResume(name: FixtureName): Resume {
  const url = new URL(`../test-fixtures/jsonresume/${name}.resume.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Resume;
}
