/**
 * Profile items: the citable facts of a JSON Resume. A rewritten sentence of a
 * tailored variant cites the ids of the items it restates, and the cell's
 * claim-level verifier checks it against exactly those items.
 *
 * Two kinds of item:
 * - text items, one per prose field: `basics.summary`, each work / volunteer /
 *   project entry's `summary` and `description`, and each of their highlights;
 * - entry items, one per entry of every section (a job, a degree, a project,
 *   a skill group, a certificate, an award…), whose text is the entry's
 *   structured facts (employer, title, dates, location, keywords…), so a
 *   summary can cite "Senior Engineer at Acme" or a skill group.
 *
 * An id is derived from the item's JSON pointer and its content, so it is
 * stable across requests and changes when the text does: a citation of an
 * older profile version's item is unknown, never silently re-pointed.
 */
import { createHash } from 'node:crypto';

export type ProfileItemKind = 'summary' | 'description' | 'highlight' | 'entry' | 'label';

export interface ProfileItem {
  id: string;
  /** RFC 6901 pointer of the item in the profile. */
  pointer: string;
  kind: ProfileItemKind;
  /** Pointer of the entry the item belongs to: `/basics`, `/work/2`, `/skills/0`… */
  entry: string;
  text: string;
}

/** Sections whose entries hold prose that a variant may rephrase. */
export const PROSE_SECTIONS = ['work', 'volunteer', 'projects'] as const;
/** Prose fields of those entries; `highlights` is a list. */
export const PROSE_FIELDS = ['summary', 'description', 'highlights'] as const;

/** Entry sections: every entry becomes one entry item. */
const ENTRY_SECTIONS = [
  'work',
  'volunteer',
  'projects',
  'education',
  'awards',
  'certificates',
  'publications',
  'skills',
  'languages',
] as const;

/** Fields of an entry item's text, in reading order; the rest of the entry is prose. */
const ENTRY_FACT_FIELDS = [
  'name',
  'organization',
  'institution',
  'title',
  'position',
  'roles',
  'studyType',
  'area',
  'score',
  'awarder',
  'issuer',
  'publisher',
  'entity',
  'type',
  'location',
  'startDate',
  'endDate',
  'date',
  'releaseDate',
  'level',
  'language',
  'fluency',
  'keywords',
  'courses',
] as const;

export function pointerOf(path: readonly (string | number)[]): string {
  return path
    .map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('');
}

/** `/work/0/highlights/2` + its text → `work.0.highlights.2~3fa9c1d2`. */
export function itemId(pointer: string, text: string): string {
  const hash = createHash('sha256').update(`${pointer}\u0000${text}`).digest('hex').slice(0, 8);
  return `${pointer.slice(1).replaceAll('/', '.')}~${hash}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(textOf).filter((s): s is string => s !== undefined);
    return parts.length > 0 ? parts.join(', ') : undefined;
  }
  return undefined;
}

/** The structured facts of one entry, one line: `Acme · Senior Engineer · 2019-03 – 2021-06`. */
export function entryFacts(entry: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const field of ENTRY_FACT_FIELDS) {
    const text = textOf(entry[field]);
    if (text !== undefined) parts.push(text);
  }
  return parts.join(' · ');
}

/** Every citable item of `profile`, in document order. */
export function profileItems(profile: unknown): ProfileItem[] {
  const items: ProfileItem[] = [];
  if (!isRecord(profile)) return items;
  const push = (path: (string | number)[], kind: ProfileItemKind, entry: string, text: string) => {
    const pointer = pointerOf(path);
    items.push({ id: itemId(pointer, text), pointer, kind, entry, text });
  };
  const basics = profile.basics;
  if (isRecord(basics)) {
    const label = textOf(basics.label);
    if (label !== undefined && typeof basics.label === 'string')
      push(['basics', 'label'], 'label', '/basics', label);
    if (typeof basics.summary === 'string' && basics.summary.trim() !== '')
      push(['basics', 'summary'], 'summary', '/basics', basics.summary);
  }
  for (const section of ENTRY_SECTIONS) {
    const entries = profile[section];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, index) => {
      if (!isRecord(entry)) return;
      const entryPointer = pointerOf([section, index]);
      const facts = entryFacts(entry);
      if (facts !== '') push([section, index], 'entry', entryPointer, facts);
      if (!(PROSE_SECTIONS as readonly string[]).includes(section)) return;
      for (const field of ['summary', 'description'] as const) {
        const value = entry[field];
        if (typeof value === 'string' && value.trim() !== '')
          push([section, index, field], field, entryPointer, value);
      }
      const highlights = entry.highlights;
      if (Array.isArray(highlights)) {
        highlights.forEach((highlight, h) => {
          if (typeof highlight === 'string' && highlight.trim() !== '')
            push([section, index, 'highlights', h], 'highlight', entryPointer, highlight);
        });
      }
    });
  }
  return items;
}

/** The items of `profile` by id. */
export function profileItemIndex(profile: unknown): Map<string, ProfileItem> {
  return new Map(profileItems(profile).map((item) => [item.id, item]));
}
