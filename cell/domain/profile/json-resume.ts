/**
 * Lenient JSON Resume import: what a real resume may get wrong is tolerated and
 * reported as a warning; only what cannot be a resume is refused. Every finding
 * is named by its JSON pointer.
 *
 * Three passes over the parsed document:
 * 1. Limits and text hygiene, iteratively (no recursion, so any nesting is
 *    safe): depth, string length, lone surrogates, control characters. Fatal.
 * 2. The official schema (draft-07, copied with its licence into this folder)
 *    with Ajv. Its errors are classified: a value of the wrong type is fatal;
 *    a bad URI, e-mail or date is a warning, since the document is stored as
 *    written and every consumer already reads these fields as free text.
 * 3. The name, and the v0.0.x field names, which the v1.0.0 schema cannot see
 *    because it allows unknown fields.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import formatsModule from 'ajv-formats';
import { checkJsonText, RESUME_TEXT_LIMITS } from '../../../lib/json-text-limits.ts';
import type { ValidationProblem } from '../../../lib/validation.ts';

/** Limits of one imported document; each breach is a fatal problem. */
export const RESUME_LIMITS = {
  ...RESUME_TEXT_LIMITS,
  /** Warnings listed in one answer; the rest are only counted. */
  maxWarnings: 100,
} as const;

export interface ResumeCheck {
  /** Fatal: the document is refused when there is any. */
  problems: ValidationProblem[];
  /** Tolerated: the document is stored as written. At most `RESUME_LIMITS.maxWarnings`. */
  warnings: ValidationProblem[];
  /** Warnings found beyond those listed. */
  warningsOmitted: number;
}

const schema = JSON.parse(
  readFileSync(new URL('./jsonresume-schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, strict: false });
formatsModule.default(ajv);
const validateResume = ajv.compile(schema);

class Findings {
  readonly problems: ValidationProblem[] = [];
  readonly warnings: ValidationProblem[] = [];
  warningsOmitted = 0;

  problem(pointer: string, message: string): void {
    this.problems.push({ pointer, message });
  }

  warning(pointer: string, message: string): void {
    if (this.warnings.length < RESUME_LIMITS.maxWarnings) this.warnings.push({ pointer, message });
    else this.warningsOmitted++;
  }
}

/** Pass 1: limits and text hygiene over every value and key, plus empty and null values. */
function checkShape(document: object, findings: Findings): void {
  checkJsonText(document, RESUME_LIMITS, {
    problem: (pointer, message) => findings.problem(pointer, message),
    value: (pointer, value) => {
      if (value === null) findings.warning(pointer, 'is null; treated as absent');
      else if (value.trim() === '') findings.warning(pointer, 'is empty; treated as absent');
    },
  });
}

function valueAt(document: unknown, pointer: string): unknown {
  let value = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function toleratedMessage(error: ErrorObject): string {
  if (error.keyword === 'format' && error.params.format === 'uri')
    return 'is not an absolute URI; kept as written';
  if (error.keyword === 'format' && error.params.format === 'email')
    return 'is not an e-mail address; kept as written';
  if (error.keyword === 'pattern' && error.schemaPath.includes('iso8601'))
    return 'is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD; kept as written';
  return `${error.message ?? `fails ${error.keyword}`}; kept as written`;
}

/** Pass 2: the official schema, its errors split into fatal and tolerated. */
function checkSchema(document: object, findings: Findings): void {
  if (validateResume(document)) return;
  for (const error of validateResume.errors ?? []) {
    const value = valueAt(document, error.instancePath);
    // Empty and null values were reported once by the shape pass.
    if (value === null || (typeof value === 'string' && value.trim() === '')) continue;
    if (error.keyword === 'type')
      findings.problem(error.instancePath, error.message ?? 'wrong type');
    else findings.warning(error.instancePath, toleratedMessage(error));
  }
}

/** v0.0.x field names that v1.0.0 renamed: section → old name → new name. */
const RENAMED_FIELDS: Record<string, Record<string, string>> = {
  basics: { website: 'url', picture: 'image' },
  work: { company: 'name', website: 'url' },
  volunteer: { website: 'url' },
  education: { gpa: 'score' },
  publications: { website: 'url' },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function present(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Pass 3: a name (v1.0.0 `basics.name` or the oldest drafts' `bio`), and v0.0.x field names. */
function checkNameAndVersion(document: Record<string, unknown>, findings: Findings): void {
  const basics = document.basics;
  const bio = document.bio;
  const name = isRecord(basics) ? basics.name : undefined;
  if (present(name)) {
    // The usual case.
  } else if (isRecord(bio) && (present(bio.firstName) || present(bio.lastName))) {
    findings.warning('/bio', 'is the pre-v0.0.12 form of `basics`; kept as written');
  } else if (name === undefined || name === null || typeof name === 'string') {
    // Any other type was already refused by the schema pass.
    findings.problem(
      '/basics/name',
      name === undefined || name === null
        ? 'is missing: a resume needs a name'
        : 'is empty: a resume needs a name',
    );
  }
  for (const [section, renamed] of Object.entries(RENAMED_FIELDS)) {
    const value = document[section];
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [`/${section}/${index}`, item])
      : [[`/${section}`, value]];
    for (const [pointer, item] of entries) {
      if (!isRecord(item)) continue;
      for (const [old, current] of Object.entries(renamed)) {
        const legacy = item[old];
        if (legacy === undefined || legacy === null) continue;
        // The v1.0.0 schema sees these as unknown fields and checks nothing.
        if (typeof legacy !== 'string') findings.problem(`${pointer}/${old}`, 'must be string');
        else if (present(legacy) && item[current] === undefined)
          findings.warning(
            `${pointer}/${old}`,
            `is the v0.0.x name of \`${current}\`; kept as written`,
          );
      }
    }
  }
}

/**
 * Checks a parsed JSON Resume for import. `problems` empty means it can be
 * stored; `warnings` say what was tolerated.
 */
export function checkJsonResume(document: unknown): ResumeCheck {
  const findings = new Findings();
  if (!isRecord(document)) {
    findings.problem('', 'must be a JSON object');
  } else {
    checkShape(document, findings);
    // Past a broken limit the schema pass would only repeat or mislead.
    if (findings.problems.length === 0) {
      checkSchema(document, findings);
      checkNameAndVersion(document, findings);
    }
  }
  return {
    problems: findings.problems,
    warnings: findings.warnings,
    warningsOmitted: findings.warningsOmitted,
  };
}
