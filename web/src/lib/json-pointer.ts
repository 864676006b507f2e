/** Reading a document by JSON pointer (RFC 6901) and naming a pointer for people. */

/** The unescaped reference tokens of a pointer; the root has none. */
export function segments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The value at `pointer`, or undefined when the document has nothing there. */
export function valueAt(document: unknown, pointer: string): unknown {
  let value: unknown = document;
  for (const segment of segments(pointer)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function words(segment: string): string {
  if (/^\d+$/.test(segment)) return `#${Number(segment) + 1}`;
  const spaced = segment.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** `/work/0/startDate` → `Work › #1 › Start date`; the root is "The whole document". */
export function fieldLabel(pointer: string): string {
  const parts = segments(pointer);
  return parts.length === 0 ? 'The whole document' : parts.map(words).join(' › ');
}
