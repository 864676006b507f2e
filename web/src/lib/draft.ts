/**
 * A JSON Resume being edited (the profile editor's draft, the tailored
 * resume's edits before approval): changed one field at a time by JSON pointer
 * without touching anything the form does not show (unknown fields, sections
 * the form has no editor for stay as they were). A cleared field is removed
 * rather than stored as "", which an import would only warn about.
 */
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
