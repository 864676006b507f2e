/**
 * Right-to-left text with the Unicode Bidirectional Algorithm (UAX #9, via
 * `bidi-js`): a paragraph's base direction comes from its first strong
 * character, and each laid-out line is cut into pieces of one embedding level
 * and put in visual order. Shaping (fontkit) then draws each right-to-left
 * piece's glyphs right to left, so the page reads correctly while each glyph
 * still maps to its own characters: extractors such as pdftotext put
 * right-to-left lines back into logical order.
 */
import { createRequire } from 'node:module';

// bidi-js is a UMD bundle whose module.exports is the factory; its typings
// declare an ES default export, which NodeNext resolution reads differently.
const bidiFactory = createRequire(import.meta.url)(
  'bidi-js',
) as typeof import('bidi-js')['default'];
const bidi = bidiFactory();

/** Strong right-to-left characters (Hebrew, Arabic, Syriac, Thaana, N'Ko…). */
const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

export type Direction = 'ltr' | 'rtl';

export function hasRightToLeft(text: string): boolean {
  return RTL.test(text);
}

/** The base direction of a paragraph: that of its first strong character (rules P2–P3). */
export function paragraphDirection(text: string): Direction {
  if (!hasRightToLeft(text)) return 'ltr';
  // bidi-js's own P2–P3 walk (its code units, its character types) without resolving the
  // levels of the whole text; an isolate, whose content P2 skips, takes the full algorithm.
  for (let i = 0; i < text.length; i += 1) {
    const type = bidi.getBidiCharTypeName(text[i] as string);
    if (type === 'R' || type === 'AL') return 'rtl';
    if (type === 'L' || type === 'B') return 'ltr';
    if (type === 'LRI' || type === 'RLI' || type === 'FSI') return fullParagraphDirection(text);
  }
  return 'ltr';
}

/** The same from the first paragraph's level as bidi-js resolves it (P1–P3 over the whole text). */
export function fullParagraphDirection(text: string): Direction {
  if (!hasRightToLeft(text)) return 'ltr';
  const [paragraph] = bidi.getEmbeddingLevels(text).paragraphs;
  return paragraph && paragraph.level % 2 === 1 ? 'rtl' : 'ltr';
}

/** A piece of a line: text of one embedding level, in logical order. */
export interface LevelPiece<T> {
  text: string;
  level: number;
  item: T;
}

/**
 * Cuts the items of a line (in logical order, each with its text) into pieces
 * of one embedding level, and returns them in visual (left to right) order
 * (rule L2). Right-to-left pieces are also cut at spaces, so each word is its
 * own piece: pdfkit would otherwise lay the words of one piece left to right.
 */
export function visualOrder<T>(
  items: readonly { text: string; item: T }[],
  direction: Direction,
): LevelPiece<T>[] {
  const text = items.map((entry) => entry.text).join('');
  const { levels } = bidi.getEmbeddingLevels(text, direction);
  const pieces: LevelPiece<T>[] = [];
  let offset = 0;
  for (const { text: itemText, item } of items) {
    let start = 0;
    for (let i = 1; i <= itemText.length; i += 1) {
      const level = levels[offset + start] ?? 0;
      const atEnd = i === itemText.length;
      const levelChanges = !atEnd && (levels[offset + i] ?? 0) !== level;
      // In a right-to-left piece, a space ends a word and is a piece of its own.
      const spaceEdge =
        !atEnd && level % 2 === 1 && (itemText[i] === ' ') !== (itemText[i - 1] === ' ');
      if (atEnd || levelChanges || spaceEdge) {
        pieces.push({ text: itemText.slice(start, i), level, item });
        start = i;
      }
    }
    offset += itemText.length;
  }
  const highest = pieces.reduce((max, piece) => Math.max(max, piece.level), 0);
  const lowestOdd = pieces.reduce(
    (min, piece) => (piece.level % 2 === 1 ? Math.min(min, piece.level) : min),
    Number.POSITIVE_INFINITY,
  );
  for (let level = highest; level >= lowestOdd; level -= 1) {
    let i = 0;
    while (i < pieces.length) {
      if ((pieces[i]?.level ?? 0) < level) {
        i += 1;
        continue;
      }
      let j = i;
      while (j < pieces.length && (pieces[j]?.level ?? 0) >= level) j += 1;
      const reversed = pieces.slice(i, j).reverse();
      pieces.splice(i, j - i, ...reversed);
      i = j;
    }
  }
  return pieces;
}
