/**
 * What a tailored variant did to the master profile, section by section: the
 * entries it selected and left out, whether it reordered them, and within
 * each entry the highlights kept word for word, reworded (with the citations
 * the verifier checked) or left out; and whether the summary was reworded.
 * The tailor only selects, reorders and rewords with citations (ADR and
 * docs/reference/applications.md): this makes each of those visible.
 */

type Json = Record<string, unknown>;

export interface HighlightDiff {
  text: string;
  /** Word for word from the profile entry, or reworded. */
  kind: 'kept' | 'reworded';
  /** Profile items a reworded text cites (ids the verifier checked). */
  cites: number;
}

export interface EntryDiff {
  label: string;
  highlights: HighlightDiff[];
  droppedHighlights: string[];
  reorderedHighlights: boolean;
}

export interface SectionDiff {
  section: string;
  /** Entries of the master the variant kept, in the variant's order. */
  entries: EntryDiff[];
  dropped: string[];
  reordered: boolean;
  total: number;
}

export interface VariantDiff {
  summary: { from: string; to: string; cites: number } | undefined;
  sections: SectionDiff[];
}

const SECTIONS = [
  'work',
  'projects',
  'volunteer',
  'education',
  'skills',
  'awards',
  'certificates',
  'publications',
  'languages',
  'interests',
] as const;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** An entry's name as the user recognizes it: `Senior Engineer at Acme`, `Stanford`, `TypeScript`. */
export function entryLabel(section: string, entry: Json): string {
  if (section === 'work' || section === 'volunteer') {
    const org = text(entry.name) || text(entry.company) || text(entry.organization);
    const role = text(entry.position);
    return role && org ? `${role} at ${org}` : role || org || 'Untitled';
  }
  if (section === 'education') {
    const area = [text(entry.studyType), text(entry.area)].filter(Boolean).join(' ');
    return [area, text(entry.institution)].filter(Boolean).join(', ') || 'Untitled';
  }
  return (
    text(entry.name) ||
    text(entry.title) ||
    text(entry.language) ||
    text(entry.awarder) ||
    'Untitled'
  );
}

/** Identity of an entry across master and variant: its label and start date. */
const keyOf = (section: string, entry: Json) =>
  `${entryLabel(section, entry)}|${text(entry.startDate) || text(entry.date)}`;

const stringsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(text).filter((s) => s !== '') : [];

/** Whether `subset`'s order differs from the order the same items have in `all`. */
function reorderedIn<T>(subset: T[], all: T[]): boolean {
  const positions = subset.map((item) => all.indexOf(item)).filter((i) => i >= 0);
  return positions.some((position, i) => i > 0 && position < (positions[i - 1] ?? -1));
}

export function diffVariant(
  master: unknown,
  variant: unknown,
  citations: readonly { pointer: string; cites: string[] }[] = [],
): VariantDiff {
  const from = isRecord(master) ? master : {};
  const to = isRecord(variant) ? variant : {};
  const citesOf = (pointer: string) =>
    citations.find((citation) => citation.pointer === pointer)?.cites.length ?? 0;

  const fromSummary = text(isRecord(from.basics) ? from.basics.summary : undefined);
  const toSummary = text(isRecord(to.basics) ? to.basics.summary : undefined);
  const summary =
    toSummary !== '' && toSummary !== fromSummary
      ? { from: fromSummary, to: toSummary, cites: citesOf('/basics/summary') }
      : undefined;

  const sections: SectionDiff[] = [];
  for (const section of SECTIONS) {
    const masterEntries = (Array.isArray(from[section]) ? from[section] : []).filter(isRecord);
    const variantEntries = (Array.isArray(to[section]) ? to[section] : []).filter(isRecord);
    if (masterEntries.length === 0 && variantEntries.length === 0) continue;
    const masterKeys = masterEntries.map((entry) => keyOf(section, entry));
    const keptKeys: string[] = [];
    const entries = variantEntries.map((entry, index): EntryDiff => {
      const key = keyOf(section, entry);
      keptKeys.push(key);
      const original = masterEntries[masterKeys.indexOf(key)];
      const field = section === 'skills' || section === 'interests' ? 'keywords' : 'highlights';
      const before = stringsOf(original?.[field]);
      const after = stringsOf(entry[field]);
      return {
        label: entryLabel(section, entry),
        highlights: after.map((item, h) => ({
          text: item,
          kind: before.includes(item) ? 'kept' : 'reworded',
          cites: citesOf(`/${section}/${index}/${field}/${h}`),
        })),
        droppedHighlights: before.filter((item) => !after.includes(item)),
        reorderedHighlights: reorderedIn(after, before),
      };
    });
    sections.push({
      section,
      entries,
      dropped: masterEntries
        .filter((_, i) => !keptKeys.includes(masterKeys[i] ?? ''))
        .map((entry) => entryLabel(section, entry)),
      reordered: reorderedIn(keptKeys, masterKeys),
      total: masterEntries.length,
    });
  }
  return { summary, sections };
}
