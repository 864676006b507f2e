/**
 * JSON Resume validation against the official schema (draft-07, copied with its
 * licence into this folder) with Ajv. Each problem is named by its JSON pointer.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import formatsModule from 'ajv-formats';
import type { ValidationProblem } from '../../../lib/validation.ts';

const schema = JSON.parse(
  readFileSync(new URL('./jsonresume-schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, strict: false });
formatsModule.default(ajv);
const validateResume = ajv.compile(schema);

function escapePointerSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function problemOf(error: ErrorObject): ValidationProblem {
  const missing = (error.params as { missingProperty?: string }).missingProperty;
  const pointer =
    error.keyword === 'required' && missing
      ? `${error.instancePath}/${escapePointerSegment(missing)}`
      : error.instancePath;
  return { pointer, message: error.message ?? `fails ${error.keyword}` };
}

/** Returns the problems of `document` against the JSON Resume schema; empty when valid. */
export function jsonResumeProblems(document: unknown): ValidationProblem[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return [{ pointer: '', message: 'must be a JSON object' }];
  }
  if (validateResume(document)) return [];
  return (validateResume.errors ?? []).map(problemOf);
}
