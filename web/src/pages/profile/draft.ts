/**
 * The profile editor's draft: the stored JSON Resume, changed one field at a
 * time by JSON pointer without touching anything the form does not show
 * (unknown fields, sections the form has no editor for stay as they were).
 * A cleared field is removed rather than stored as "", which an import would
 * only warn about.
 */
import { diffLines } from 'diff';
import { segments } from './json-pointer.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Draft = { [key: string]: Json };

const escapeSegment = (segment: string | number) =>
  String(segment).replaceAll('~', '~0').replaceAll('/', '~1');

/** `pointerOf('work', 0, 'name')` → `/work/0/name` (RFC 6901). */
export function pointerOf(...segments: (string | number)[]): string {
  return segments.map((segment) => `/${escapeSegment(segment)}`).join('');
}

const isEmpty = (value: Json | undefined) =>
  value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

function setIn(node: Json | undefined, path: string[], value: Json | undefined): Json | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(node)) {
    const index = Number(head);
    const copy = [...node];
    const next = setIn(copy[index], rest, value);
    copy[index] = next === undefined ? {} : next;
    return copy;
  }
  const object = node !== null && typeof node === 'object' ? { ...node } : {};
  const next = setIn(object[head], rest, value);
  if (isEmpty(next)) delete object[head];
  else object[head] = next as Json;
  return object;
}

/** The draft with `value` at `pointer`; an empty value removes the field. Never mutates. */
export function withValueAt(draft: Draft, pointer: string, value: Json | undefined): Draft {
  return (setIn(draft, segments(pointer), value) ?? {}) as Draft;
}

/** The string at `pointer`, or '' when there is none (or it is not a string). */
export function textAt(draft: Draft, pointer: string): string {
  let node: Json | undefined = draft;
  for (const segment of segments(pointer)) {
    if (node === null || typeof node !== 'object') return '';
    node = Array.isArray(node) ? node[Number(segment)] : node[segment];
  }
  return typeof node === 'string' ? node : typeof node === 'number' ? String(node) : '';
}

/** The entries of a section (an array of objects), or none. */
export function entriesOf(draft: Draft, section: string): { [key: string]: Json }[] {
  const value = draft[section];
  return Array.isArray(value)
    ? value.filter((v): v is { [key: string]: Json } => v !== null && typeof v === 'object')
    : [];
}

/** A list of strings (highlights, keywords) as one line each, for a textarea (a lone string as itself). */
export function linesAt(draft: Draft, pointer: string): string {
  let node: Json | undefined = draft;
  for (const segment of segments(pointer)) {
    if (node === null || typeof node !== 'object') return '';
    node = Array.isArray(node) ? node[Number(segment)] : node[segment];
  }
  // A lone string where a list belongs (a common mistake) is shown, so it can be fixed here.
  if (typeof node === 'string') return node;
  return Array.isArray(node) ? node.filter((v) => typeof v === 'string').join('\n') : '';
}

/** A textarea's lines as a list: blank lines dropped, each trimmed. */
export function fromLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export function addEntry(draft: Draft, section: string): Draft {
  const entries = Array.isArray(draft[section]) ? (draft[section] as Json[]) : [];
  return { ...draft, [section]: [...entries, {}] };
}

export function removeEntry(draft: Draft, section: string, index: number): Draft {
  const entries = Array.isArray(draft[section]) ? (draft[section] as Json[]) : [];
  const next = entries.filter((_, i) => i !== index);
  const copy = { ...draft, [section]: next };
  if (next.length === 0) delete copy[section];
  return copy;
}

/** Moves an entry up (-1) or down (+1); out of range leaves the draft as it is. */
export function moveEntry(draft: Draft, section: string, index: number, delta: -1 | 1): Draft {
  const entries = Array.isArray(draft[section]) ? [...(draft[section] as Json[])] : [];
  const to = index + delta;
  if (to < 0 || to >= entries.length || index < 0 || index >= entries.length) return draft;
  [entries[index], entries[to]] = [entries[to] as Json, entries[index] as Json];
  return { ...draft, [section]: entries };
}

export interface FieldSpec {
  key: string;
  label: string;
  kind?: 'text' | 'textarea' | 'lines';
}

export interface SectionSpec {
  key: string;
  title: string;
  /** What names an entry in its heading and buttons. */
  heading: string[];
  fields: FieldSpec[];
}

const DATES: FieldSpec[] = [
  { key: 'startDate', label: 'Start date (YYYY, YYYY-MM or YYYY-MM-DD)' },
  { key: 'endDate', label: 'End date (empty while current)' },
];

/** The JSON Resume 1.0 sections and the fields the form edits in each. */
export const SECTIONS: SectionSpec[] = [
  {
    key: 'work',
    title: 'Work',
    heading: ['position', 'name'],
    fields: [
      { key: 'name', label: 'Employer' },
      { key: 'position', label: 'Position' },
      { key: 'location', label: 'Location' },
      { key: 'url', label: 'Website' },
      ...DATES,
      { key: 'summary', label: 'Summary', kind: 'textarea' },
      { key: 'highlights', label: 'Highlights (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'education',
    title: 'Education',
    heading: ['studyType', 'area', 'institution'],
    fields: [
      { key: 'institution', label: 'Institution' },
      { key: 'area', label: 'Area' },
      { key: 'studyType', label: 'Degree' },
      { key: 'score', label: 'Score' },
      ...DATES,
      { key: 'courses', label: 'Courses (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'skills',
    title: 'Skills',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Skill' },
      { key: 'level', label: 'Level' },
      { key: 'keywords', label: 'Keywords (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'projects',
    title: 'Projects',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Name' },
      { key: 'url', label: 'Website' },
      ...DATES,
      { key: 'description', label: 'Description', kind: 'textarea' },
      { key: 'highlights', label: 'Highlights (one per line)', kind: 'lines' },
      { key: 'keywords', label: 'Keywords (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'volunteer',
    title: 'Volunteering',
    heading: ['position', 'organization'],
    fields: [
      { key: 'organization', label: 'Organization' },
      { key: 'position', label: 'Position' },
      { key: 'url', label: 'Website' },
      ...DATES,
      { key: 'summary', label: 'Summary', kind: 'textarea' },
      { key: 'highlights', label: 'Highlights (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'awards',
    title: 'Awards',
    heading: ['title'],
    fields: [
      { key: 'title', label: 'Title' },
      { key: 'awarder', label: 'Awarder' },
      { key: 'date', label: 'Date' },
      { key: 'summary', label: 'Summary', kind: 'textarea' },
    ],
  },
  {
    key: 'certificates',
    title: 'Certificates',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Name' },
      { key: 'issuer', label: 'Issuer' },
      { key: 'date', label: 'Date' },
      { key: 'url', label: 'Website' },
    ],
  },
  {
    key: 'publications',
    title: 'Publications',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Title' },
      { key: 'publisher', label: 'Publisher' },
      { key: 'releaseDate', label: 'Release date' },
      { key: 'url', label: 'Website' },
      { key: 'summary', label: 'Summary', kind: 'textarea' },
    ],
  },
  {
    key: 'languages',
    title: 'Languages',
    heading: ['language'],
    fields: [
      { key: 'language', label: 'Language' },
      { key: 'fluency', label: 'Fluency' },
    ],
  },
  {
    key: 'interests',
    title: 'Interests',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Interest' },
      { key: 'keywords', label: 'Keywords (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'references',
    title: 'References',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Name' },
      { key: 'reference', label: 'Reference', kind: 'textarea' },
    ],
  },
];

/** The basics the form edits (`basics.profiles` is edited as its own list). */
export const BASICS: FieldSpec[] = [
  { key: 'name', label: 'Name' },
  { key: 'label', label: 'Headline' },
  { key: 'email', label: 'Email' },
  { key: 'phone', label: 'Phone' },
  { key: 'url', label: 'Website' },
  { key: 'summary', label: 'Summary', kind: 'textarea' },
];

export const LOCATION: FieldSpec[] = [
  { key: 'city', label: 'City' },
  { key: 'region', label: 'Region' },
  { key: 'countryCode', label: 'Country code' },
];

/** One line of a version diff: added, removed or unchanged text. */
export interface DiffLine {
  kind: 'added' | 'removed' | 'same';
  text: string;
}

const pretty = (text: string): string => {
  try {
    return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  } catch {
    return text;
  }
};

/**
 * The line diff between two stored versions, both pretty-printed first so a
 * version imported minified compares with one saved by the editor. Runs of
 * unchanged lines longer than `context` × 2 are folded to their ends.
 */
export function versionDiff(older: string, newer: string, context = 3): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const part of diffLines(pretty(older), pretty(newer))) {
    const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
    const texts = part.value.replace(/\n$/, '').split('\n');
    if (kind === 'same' && texts.length > context * 2 + 1) {
      for (const text of texts.slice(0, context)) lines.push({ kind, text });
      lines.push({ kind, text: `⋯ ${texts.length - context * 2} unchanged lines` });
      for (const text of texts.slice(-context)) lines.push({ kind, text });
    } else {
      for (const text of texts) lines.push({ kind, text });
    }
  }
  return lines;
}
