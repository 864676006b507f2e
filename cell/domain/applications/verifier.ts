/**
 * The "never invent" verifier: checks a tailored resume variant against the
 * profile version it came from, before anything is rendered or sent.
 *
 * Tailoring may only SELECT, REORDER and DROP: drop entries, drop fields,
 * drop array items (highlights, keywords, courses), and reorder any array.
 * It may not rewrite or trim text: every highlight and summary must equal a
 * highlight or summary of the same profile entry (after normalising Unicode
 * to NFC, whitespace and case). Trimming a sentence is refused because a cut
 * sentence can change a claim ("led a team of 12 … that shipped" → "led a team").
 *
 * Each variant entry is matched to its source entry in the same profile
 * section by its identity field (employer for work, institution for
 * education, name for skills…); every other field must then agree with that
 * source entry, so a date or title must belong to the same job. Dates may be
 * made less precise (`2014-12-01` → `2014-12` or `2014`), never different.
 * Skill keywords may be regrouped: each must be a skill somewhere in the
 * profile. Finally, every number, percentage or amount in any text of the
 * variant must appear as the same number in the profile's text.
 *
 * A tailored variant may also REPHRASE prose (`verifyTailoredVariant`): the
 * summary, and the summary, description and highlights of work, volunteer and
 * project entries. A text that is not a verbatim text of its entry must carry
 * a citation of the profile items it restates and pass the claim-level
 * verifier (claim-verifier.ts) against them. A text that fails falls back to
 * its source text (the cited or best-matching text of the same entry), never
 * to nothing, and the rejection is recorded with its rule and offending words.
 * Everything else (dates, employers, titles, contact data) is never rewritten:
 * a difference there is a violation of the whole variant, as before.
 */
import type { Citation } from '../../../lib/ai/contract.ts';
import { PROSE_SECTIONS, pointerOf } from '../../../lib/ai/profile-items.ts';
import { ClaimChecker, type ClaimFinding, type ClaimRule } from './claim-verifier.ts';

/** A JSON Resume document (https://jsonresume.org/schema), typed loosely on purpose. */
export type ResumeDocument = { readonly [key: string]: unknown };

export type ClaimKind =
  | 'employer'
  | 'title'
  | 'institution'
  | 'degree'
  | 'date'
  | 'skill'
  | 'number'
  | 'sentence'
  | 'contact'
  | 'text';

export interface Claim {
  /** RFC 6901 pointer into the variant. */
  pointer: string;
  kind: ClaimKind;
  value: string;
}

export interface Violation extends Claim {
  reason: string;
}

/** A rewritten text that passed the claim-level verifier. */
export interface AcceptedRewrite {
  pointer: string;
  text: string;
  cites: string[];
}

/** A rewritten text that failed: what it said, the first rule it broke, what replaced it. */
export interface RewriteRejection {
  /** Pointer of the text in the variant as the provider wrote it. */
  pointer: string;
  text: string;
  cites: string[];
  rule: ClaimRule;
  /** The words of the rewrite that broke the rules. */
  offending: string[];
  reason: string;
  findings: ClaimFinding[];
  /** The source text that replaced it; null when it had none and was dropped. */
  replacedBy: string | null;
}

export interface VerificationResult {
  ok: boolean;
  claims: Claim[];
  violations: Violation[];
  /** Rewritten texts that passed (tailored variants only). */
  rewrites: AcceptedRewrite[];
  /** Rewritten texts that failed and were replaced by their source text. */
  rejections: RewriteRejection[];
  /** The variant with every rejected text replaced: what may be rendered when `ok`. */
  variant: ResumeDocument;
}

interface SectionSpec {
  /** Field whose value names the entry; the source entry is found by it. */
  identity: string;
  fields: Record<string, ClaimKind>;
}

const DATE_FIELDS = { startDate: 'date', endDate: 'date', date: 'date', releaseDate: 'date' };

const SECTIONS: Record<string, SectionSpec> = {
  work: {
    identity: 'name',
    fields: {
      name: 'employer',
      position: 'title',
      summary: 'sentence',
      highlights: 'sentence',
      description: 'sentence',
      location: 'text',
      url: 'contact',
      ...DATE_FIELDS,
    } as Record<string, ClaimKind>,
  },
  volunteer: {
    identity: 'organization',
    fields: {
      organization: 'employer',
      position: 'title',
      summary: 'sentence',
      highlights: 'sentence',
      url: 'contact',
      ...DATE_FIELDS,
    } as Record<string, ClaimKind>,
  },
  education: {
    identity: 'institution',
    fields: {
      institution: 'institution',
      studyType: 'degree',
      area: 'degree',
      score: 'number',
      courses: 'text',
      url: 'contact',
      ...DATE_FIELDS,
    } as Record<string, ClaimKind>,
  },
  awards: {
    identity: 'title',
    fields: { title: 'text', awarder: 'employer', summary: 'sentence', ...DATE_FIELDS } as Record<
      string,
      ClaimKind
    >,
  },
  certificates: {
    identity: 'name',
    fields: { name: 'text', issuer: 'employer', url: 'contact', ...DATE_FIELDS } as Record<
      string,
      ClaimKind
    >,
  },
  publications: {
    identity: 'name',
    fields: {
      name: 'text',
      publisher: 'employer',
      summary: 'sentence',
      url: 'contact',
      ...DATE_FIELDS,
    } as Record<string, ClaimKind>,
  },
  skills: { identity: 'name', fields: { name: 'skill', level: 'text', keywords: 'skill' } },
  languages: { identity: 'language', fields: { language: 'text', fluency: 'text' } },
  interests: { identity: 'name', fields: { name: 'text', keywords: 'text' } },
  references: { identity: 'name', fields: { name: 'text', reference: 'sentence' } },
  projects: {
    identity: 'name',
    fields: {
      name: 'text',
      description: 'sentence',
      highlights: 'sentence',
      keywords: 'skill',
      roles: 'title',
      entity: 'employer',
      type: 'text',
      url: 'contact',
      ...DATE_FIELDS,
    } as Record<string, ClaimKind>,
  },
};

const BASICS_FIELDS: Record<string, ClaimKind> = {
  name: 'text',
  label: 'title',
  email: 'contact',
  phone: 'contact',
  url: 'contact',
  image: 'contact',
  summary: 'sentence',
};

/** Top-level keys that carry no claim about the candidate. */
const METADATA_KEYS = new Set(['$schema', 'meta']);

/** Numbers, percentages and amounts: `40%`, `$1.2M`, `3x`, `2,000`, `2016`. */
const NUMBER_PATTERN =
  /(?<![\p{L}\p{N}_])([$€£¥])?\s?(\d+(?:[.,]\d+)*)(\s?(?:%|percent\b|k\b|m\b|mm\b|bn\b|b\b|x\b))?/giu;

export function normalizeText(value: string): string {
  return value.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** Extracts the normalised number tokens of a text, e.g. `Cut costs by 40 %` → `['40%']`. */
export function extractNumbers(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.normalize('NFC').matchAll(NUMBER_PATTERN)) {
    const currency = match[1] ?? '';
    const digits = (match[2] ?? '').replaceAll(',', '');
    const unit = (match[3] ?? '').trim().toLowerCase().replace('percent', '%');
    tokens.push(`${currency}${digits}${unit}`);
  }
  return tokens;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Every string in a JSON value, for the profile's number vocabulary. */
function collectStrings(value: unknown, into: string[] = []): string[] {
  const text = scalarText(value);
  if (text !== undefined) into.push(text);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (isRecord(value)) for (const item of Object.values(value)) collectStrings(item, into);
  return into;
}

/** A variant date equals the source date or is a less precise prefix of it (YYYY, YYYY-MM). */
function dateMatches(variant: string, source: string): boolean {
  const v = normalizeText(variant);
  const s = normalizeText(source);
  if (v === s) return true;
  return /^\d{4}(-\d{2})?$/.test(v) && s.startsWith(`${v}-`);
}

function valuesAgree(kind: ClaimKind, variant: string, source: unknown): boolean {
  const sourceText = scalarText(source);
  if (sourceText === undefined) return false;
  return kind === 'date'
    ? dateMatches(variant, sourceText)
    : normalizeText(variant) === normalizeText(sourceText);
}

function describe(kind: ClaimKind): string {
  switch (kind) {
    case 'sentence':
      return 'text (highlights and summaries must equal the profile text)';
    case 'number':
      return 'number';
    default:
      return kind;
  }
}

/** Where a rewritten text sits and what it may fall back to. */
interface RewriteSite {
  path: (string | number)[];
  text: string;
  /** Pointer of the profile entry it belongs to; undefined for the basics summary. */
  entry: string | undefined;
  /** Source texts it may fall back to, best first. */
  sources: string[];
}

class Verification {
  readonly claims: Claim[] = [];
  readonly violations: Violation[] = [];
  readonly rewrites: AcceptedRewrite[] = [];
  readonly rejections: RewriteRejection[] = [];
  /** Replacements of rejected texts: pointer → source text, or null to drop the item. */
  readonly replacements = new Map<string, { path: (string | number)[]; text: string | null }>();
  private readonly profileNumbers: Set<string>;
  private readonly profileSkills: Set<string>;
  private readonly checker: ClaimChecker | undefined;

  constructor(
    private readonly profile: ResumeDocument,
    /** Citations by variant pointer; undefined: only verbatim prose is accepted. */
    private readonly citations?: ReadonlyMap<string, readonly string[]>,
  ) {
    this.checker = citations ? new ClaimChecker(profile) : undefined;
    this.profileNumbers = new Set(collectStrings(profile).flatMap(extractNumbers));
    this.profileSkills = new Set<string>();
    for (const skill of arrayOf(profile.skills)) {
      if (!isRecord(skill)) continue;
      const name = scalarText(skill.name);
      if (name !== undefined) this.profileSkills.add(normalizeText(name));
      for (const keyword of arrayOf(skill.keywords)) {
        const text = scalarText(keyword);
        if (text !== undefined) this.profileSkills.add(normalizeText(text));
      }
    }
    for (const project of arrayOf(profile.projects)) {
      if (!isRecord(project)) continue;
      for (const keyword of arrayOf(project.keywords)) {
        const text = scalarText(keyword);
        if (text !== undefined) this.profileSkills.add(normalizeText(text));
      }
    }
  }

  claim(path: (string | number)[], kind: ClaimKind, value: string): Claim {
    const claim = { pointer: pointerOf(path), kind, value };
    this.claims.push(claim);
    if (kind !== 'date' && kind !== 'contact') this.checkNumbers(path, value);
    return claim;
  }

  violate(claim: Claim, reason: string): void {
    this.violations.push({ ...claim, reason });
  }

  private checkNumbers(path: (string | number)[], value: string): void {
    for (const token of extractNumbers(value)) {
      if (this.profileNumbers.has(token)) continue;
      this.violations.push({
        pointer: pointerOf(path),
        kind: 'number',
        value: token,
        reason: `the number ${token} does not appear in the profile`,
      });
    }
  }

  /**
   * A prose text that is not verbatim: without citations (strict mode) a
   * violation; otherwise checked claim by claim, and on failure replaced.
   */
  private rewritten(site: RewriteSite, strictReason: string): void {
    const pointer = pointerOf(site.path);
    if (!this.checker || !this.citations) {
      this.violate(this.claim(site.path, 'sentence', site.text), strictReason);
      return;
    }
    const cites = [...(this.citations.get(pointer) ?? [])];
    this.claims.push({ pointer, kind: 'sentence', value: site.text });
    const findings = this.checker.check({ text: site.text, cites, entry: site.entry });
    if (findings.length === 0) {
      this.rewrites.push({ pointer, text: site.text, cites });
      return;
    }
    const first = findings[0] as ClaimFinding;
    const replacedBy = site.sources[0] ?? null;
    this.rejections.push({
      pointer,
      text: site.text,
      cites,
      rule: first.rule,
      offending: [...new Set(findings.flatMap((f) => f.offending))],
      reason: first.reason,
      findings,
      replacedBy,
    });
    this.replacements.set(pointer, { path: site.path, text: replacedBy });
  }

  /** Source texts of a rewritten list item: the cited ones of the entry, then by shared words. */
  private listSources(
    path: (string | number)[],
    text: string,
    sourceItems: unknown[],
    taken: Set<string>,
  ): string[] {
    const candidates = sourceItems
      .map((item) => scalarText(item))
      .filter((item): item is string => item !== undefined && !taken.has(normalizeText(item)));
    const cited = new Set(
      (this.citations?.get(pointerOf(path)) ?? [])
        .map((id) => this.checker?.items.get(id)?.text)
        .filter((t): t is string => t !== undefined),
    );
    const shared = (candidate: string) => {
      const words = new Set(normalizeText(candidate).split(/\W+/));
      return normalizeText(text)
        .split(/\W+/)
        .filter((w) => w.length > 2 && words.has(w)).length;
    };
    return candidates
      .map((candidate, index) => ({
        candidate,
        index,
        score: (cited.has(candidate) ? 1000 : 0) + shared(candidate),
      }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .map(({ candidate }) => candidate);
  }

  isProfileSkill(value: string): boolean {
    return this.profileSkills.has(normalizeText(value));
  }

  verifyDocument(variant: ResumeDocument): void {
    for (const [key, value] of Object.entries(variant)) {
      if (METADATA_KEYS.has(key) || value === undefined || value === null) continue;
      const section = SECTIONS[key];
      if (key === 'basics')
        this.verifyObject(['basics'], value, this.profile.basics, BASICS_FIELDS);
      else if (section) this.verifySection(key, section, value);
      else this.verifyObject([key], value, this.profile[key], {});
    }
  }

  /** An object compared field by field with its source; unknown fields are 'text'. */
  private verifyObject(
    path: (string | number)[],
    value: unknown,
    source: unknown,
    fields: Record<string, ClaimKind>,
  ): void {
    const text = scalarText(value);
    if (text !== undefined) {
      const kind = fields[String(path.at(-1))] ?? 'text';
      if (kind === 'sentence' && path.length === 2 && path[0] === 'basics') {
        if (valuesAgree(kind, text, source)) this.claim(path, kind, text);
        else
          this.rewritten(
            {
              path,
              text,
              entry: undefined,
              sources: scalarText(source) === undefined ? [] : [scalarText(source) as string],
            },
            `this ${describe(kind)} is not in the profile here`,
          );
        return;
      }
      const claim = this.claim(path, kind, text);
      if (!valuesAgree(claim.kind, text, source)) {
        this.violate(claim, `this ${describe(claim.kind)} is not in the profile here`);
      }
      return;
    }
    if (Array.isArray(value)) {
      const sourceItems = arrayOf(source);
      value.forEach((item, index) => {
        const itemText = scalarText(item);
        if (itemText === undefined) {
          // Arrays of objects (basics.profiles): match each item to any source item.
          const match = sourceItems.find((candidate) => deepSubset(item, candidate));
          this.verifyObject([...path, index], item, match ?? bestMatch(item, sourceItems), {});
          return;
        }
        const claim = this.claim([...path, index], 'text', itemText);
        if (!sourceItems.some((candidate) => valuesAgree('text', itemText, candidate))) {
          this.violate(claim, 'this item is not in the profile here');
        }
      });
      return;
    }
    if (isRecord(value)) {
      const sourceRecord = isRecord(source) ? source : {};
      for (const [key, child] of Object.entries(value)) {
        if (child === undefined || child === null) continue;
        const kind = fields[key];
        this.verifyObject([...path, key], child, sourceRecord[key], kind ? { [key]: kind } : {});
      }
    }
  }

  private verifySection(name: string, spec: SectionSpec, value: unknown): void {
    const sourceEntries = arrayOf(this.profile[name]).filter(isRecord);
    if (!Array.isArray(value)) {
      this.violate(this.claim([name], 'text', JSON.stringify(value)), `${name} must be a list`);
      return;
    }
    value.forEach((entry, index) => {
      const path = [name, index];
      if (!isRecord(entry)) {
        const text = scalarText(entry) ?? JSON.stringify(entry);
        this.violate(this.claim(path, 'text', text), `${name} entries must be objects`);
        return;
      }
      this.verifyEntry(path, spec, entry, sourceEntries);
    });
  }

  private verifyEntry(
    path: (string | number)[],
    spec: SectionSpec,
    entry: Record<string, unknown>,
    sourceEntries: Record<string, unknown>[],
  ): void {
    const identityText = scalarText(entry[spec.identity]);
    let candidates = sourceEntries;
    if (identityText !== undefined) {
      const kind = spec.fields[spec.identity] ?? 'text';
      const claim = this.claim([...path, spec.identity], kind, identityText);
      const sameIdentity = sourceEntries.filter((source) =>
        valuesAgree(kind, identityText, source[spec.identity]),
      );
      if (sameIdentity.length === 0) {
        this.violate(claim, `no ${describe(kind)} "${identityText}" in the profile`);
      } else {
        candidates = sameIdentity;
      }
    }
    // Among entries with the same identity (two roles at one employer), the
    // source is the one the variant agrees with most; disagreements are violations.
    const source = bestMatch(entry, candidates) ?? {};
    const section = String(path[0]);
    const sourceIndex = sourceEntries.indexOf(source);
    // Prose of work, volunteer and project entries may be rephrased, citing its own entry.
    const prose =
      (PROSE_SECTIONS as readonly string[]).includes(section) && sourceIndex >= 0
        ? pointerOf([section, arrayOf(this.profile[section]).indexOf(source)])
        : undefined;
    for (const [key, child] of Object.entries(entry)) {
      if (key === spec.identity || child === undefined || child === null) continue;
      const kind = spec.fields[key] ?? 'text';
      const fieldPath = [...path, key];
      if (Array.isArray(child)) {
        this.verifyList(
          fieldPath,
          kind,
          child,
          source[key],
          kind === 'sentence' ? prose : undefined,
        );
        continue;
      }
      const text = scalarText(child);
      if (text === undefined) {
        this.verifyObject(fieldPath, child, source[key], {});
        continue;
      }
      if (kind === 'sentence' && prose !== undefined && !valuesAgree(kind, text, source[key])) {
        const sourceText = scalarText(source[key]);
        this.rewritten(
          {
            path: fieldPath,
            text,
            entry: prose,
            sources: sourceText === undefined ? [] : [sourceText],
          },
          source[key] === undefined
            ? `the profile entry has no ${key}`
            : `this ${describe(kind)} does not belong to this entry in the profile`,
        );
        continue;
      }
      const claim = this.claim(fieldPath, kind, text);
      if (!valuesAgree(kind, text, source[key])) {
        this.violate(
          claim,
          source[key] === undefined
            ? `the profile entry has no ${key}`
            : `this ${describe(kind)} does not belong to this entry in the profile`,
        );
      }
    }
  }

  private verifyList(
    path: (string | number)[],
    kind: ClaimKind,
    items: unknown[],
    source: unknown,
    /** Set for highlights that may be rephrased: the pointer of their profile entry. */
    proseEntry?: string,
  ): void {
    const sourceItems = arrayOf(source);
    // Source texts kept verbatim in this list are not fallbacks for its rewritten items.
    const taken = new Set(
      items
        .map((item) => scalarText(item))
        .filter(
          (text): text is string =>
            text !== undefined && sourceItems.some((c) => valuesAgree(kind, text, c)),
        )
        .map(normalizeText),
    );
    items.forEach((item, index) => {
      const text = scalarText(item) ?? JSON.stringify(item);
      if (
        proseEntry !== undefined &&
        scalarText(item) !== undefined &&
        !sourceItems.some((candidate) => valuesAgree(kind, text, candidate))
      ) {
        const itemPath = [...path, index];
        const sources = this.listSources(itemPath, text, sourceItems, taken);
        this.rewritten(
          { path: itemPath, text, entry: proseEntry, sources },
          `this ${describe(kind)} is not in this entry of the profile`,
        );
        const replaced = this.replacements.get(pointerOf(itemPath))?.text;
        if (replaced) taken.add(normalizeText(replaced));
        return;
      }
      const claim = this.claim([...path, index], kind, text);
      // Skills may be regrouped: a keyword only has to be a skill of the profile.
      const known =
        kind === 'skill'
          ? this.isProfileSkill(text)
          : sourceItems.some((candidate) => valuesAgree(kind, text, candidate));
      if (!known) {
        this.violate(
          claim,
          kind === 'skill'
            ? `no skill "${text}" in the profile`
            : `this ${describe(kind)} is not in this entry of the profile`,
        );
      }
    });
  }
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function deepSubset(value: unknown, source: unknown): boolean {
  const text = scalarText(value);
  if (text !== undefined) return valuesAgree('text', text, source);
  if (Array.isArray(value)) {
    const items = arrayOf(source);
    return value.every((item) => items.some((candidate) => deepSubset(item, candidate)));
  }
  if (isRecord(value)) {
    if (!isRecord(source)) return false;
    return Object.entries(value).every(
      ([key, child]) => child === undefined || child === null || deepSubset(child, source[key]),
    );
  }
  return value === source;
}

/** The candidate sharing the most scalar fields with `entry`. */
function bestMatch(entry: unknown, candidates: unknown[]): Record<string, unknown> | undefined {
  if (!isRecord(entry)) return undefined;
  let best: Record<string, unknown> | undefined;
  let bestScore = -1;
  for (const candidate of candidates) {
    if (!isRecord(candidate)) continue;
    let score = 0;
    for (const [key, value] of Object.entries(entry)) {
      if (deepSubset(value, candidate[key])) score += 1;
    }
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Verifies `variant` against the `profile` version it was tailored from.
 * `ok` is true only when there is no violation.
 */
export function verifyVariant(
  profile: ResumeDocument,
  variant: ResumeDocument,
): VerificationResult {
  const verification = new Verification(profile);
  verification.verifyDocument(variant);
  return {
    ok: verification.violations.length === 0,
    claims: verification.claims,
    violations: verification.violations,
    rewrites: [],
    rejections: [],
    variant,
  };
}

/**
 * Verifies a tailored variant whose prose may be rephrased with `citations`.
 * Rejected texts are replaced by their source text in the returned `variant`
 * (and recorded in `rejections`); `ok` is false only for violations outside
 * rewritable prose (a changed date, employer, title, contact, skill…).
 */
export function verifyTailoredVariant(
  profile: ResumeDocument,
  variant: ResumeDocument,
  citations: readonly Citation[],
): VerificationResult {
  const byPointer = new Map<string, string[]>();
  for (const citation of citations) {
    byPointer.set(citation.pointer, [
      ...(byPointer.get(citation.pointer) ?? []),
      ...citation.cites,
    ]);
  }
  const verification = new Verification(profile, byPointer);
  verification.verifyDocument(variant);
  return {
    ok: verification.violations.length === 0,
    claims: verification.claims,
    violations: verification.violations,
    rewrites: verification.rewrites,
    rejections: verification.rejections,
    variant: applyReplacements(variant, [...verification.replacements.values()]),
  };
}

const PROSE_POINTER =
  /^\/basics\/summary$|^\/(work|volunteer|projects)\/\d+\/(summary|description|highlights\/\d+)$/;

/**
 * Citations for an edited copy of a verified variant: each prose text of
 * `edited` that is one of the rewrites `verified` accepted keeps that
 * rewrite's citations at its new place. Texts the user wrote get none, so
 * they are rejected unless they are verbatim profile text.
 */
export function carryCitations(
  verified: readonly AcceptedRewrite[],
  edited: ResumeDocument,
): Citation[] {
  const byText = new Map(verified.map((r) => [normalizeText(r.text), r.cites]));
  const citations: Citation[] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (typeof value === 'string') {
      const pointer = pointerOf(path);
      const cites = byText.get(normalizeText(value));
      if (cites && PROSE_POINTER.test(pointer)) citations.push({ pointer, cites: [...cites] });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        walk(item, [...path, index]);
      });
    } else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
    }
  };
  walk(edited, []);
  return citations;
}

/** A copy of `variant` with each replaced text swapped, and dropped list items removed. */
function applyReplacements(
  variant: ResumeDocument,
  replacements: { path: (string | number)[]; text: string | null }[],
): ResumeDocument {
  if (replacements.length === 0) return variant;
  const copy = structuredClone(variant) as Record<string, unknown>;
  const drops: { list: unknown[]; index: number }[] = [];
  for (const { path, text } of replacements) {
    let parent: unknown = copy;
    for (const segment of path.slice(0, -1)) parent = (parent as Record<string, unknown>)[segment];
    const last = path.at(-1) as string | number;
    if (text !== null) (parent as Record<string | number, unknown>)[last] = text;
    else if (Array.isArray(parent)) drops.push({ list: parent, index: Number(last) });
    else delete (parent as Record<string | number, unknown>)[last];
  }
  drops.sort((a, b) => b.index - a.index);
  for (const { list, index } of drops) list.splice(index, 1);
  return copy;
}
