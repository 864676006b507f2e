/**
 * The text layer an applicant tracking system reads is each font's ToUnicode
 * map: glyph (CID) → the text it stands for. pdfkit fills that map with the
 * first code points it meets per glyph, so a glyph drawn for two different
 * characters in one document (a space and a no-break space, say) would make
 * one of them extract wrongly.
 *
 * `TextLayerGuard` takes over a document font's `encode`: each glyph gets a
 * CID per (glyph, code points) pair, a duplicate of the glyph in the subset
 * when it stands for other text than its first use. It also records what each
 * draw asked for, and `verify()` checks, in memory and before the PDF leaves
 * the service, that every CID used maps in the ToUnicode map to exactly the
 * code points it was drawn for (in a right-to-left word, as `rightToLeftText`
 * writes them) and that the glyphs of each draw spell its text. A mismatch is
 * a {@link TextLayerError}, never a silent bad document.
 */
import type { Glyph } from 'fontkit';

/**
 * Stamped on every rendered PDF (`x-pdf-text-layer`): 2 since the text layer
 * depends only on its document and is self-checked. A stored PDF without the
 * stamp came from a renderer whose text layer could lose letters.
 */
export const TEXT_LAYER_VERSION = 2;

/** The parts of pdfkit's EmbeddedFont (a document's use of one font) that the guard relies on. */
interface EmbeddedFontInternals {
  subset: { glyphs: number[]; includeGlyph(id: number): number };
  unicode: (readonly number[] | undefined)[];
  widths: (number | undefined)[];
  scale: number;
  layout(text: string, features?: unknown): { glyphs: Glyph[]; positions: unknown[] };
  encode(text: string, features?: unknown): [string[], unknown[]];
}

/**
 * How a draw's glyphs relate to its text: `ltr`, in logical order; `rtl`, the
 * glyphs of a right-to-left word, drawn right to left; `reordered`, shaping may
 * have moved or split glyphs within a cluster (Indic, Thai).
 */
export type DrawMode = 'ltr' | 'rtl' | 'reordered';

export interface TextLayerMismatch {
  font: string;
  /** What the draw asked for. */
  expected: string;
  /** What the ToUnicode map says those glyphs are. */
  extracted: string;
}

export class TextLayerError extends Error {
  constructor(
    /** Hex SHA-256 of the refused document, to find it again in the logs. */
    readonly documentSha256: string,
    readonly mismatches: TextLayerMismatch[],
  ) {
    super(`text layer does not match the drawn text in ${mismatches.length} place(s)`);
    this.name = 'TextLayerError';
  }
}

const MAX_REPORTED = 10;

function sameCodePoints(a: readonly number[] | undefined, b: readonly number[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `glyphs` spell `text` in logical order, walking both without building strings. */
function spellsInOrder(glyphs: readonly Glyph[], text: string, reversed: boolean): boolean {
  let at = 0;
  for (let i = 0; i < glyphs.length; i += 1) {
    const glyph = glyphs[reversed ? glyphs.length - 1 - i : i] as Glyph;
    for (const codePoint of glyph.codePoints) {
      if (text.codePointAt(at) !== codePoint) return false;
      at += codePoint > 0xffff ? 2 : 1;
    }
  }
  return at === text.length;
}

const DOTTED_CIRCLE = '\u25cc';

/** A sorted, decomposed (NFD) fingerprint of some code points, to compare them as multisets. */
function multisetKey(codePoints: readonly number[]): string {
  return [...String.fromCodePoint(...codePoints).normalize('NFD')]
    .map((char) => char.codePointAt(0) ?? 0)
    .sort((a, b) => a - b)
    .join(',');
}

const MAX_CLUSTER = 12;

/**
 * The text each glyph stands for when shaping moved glyphs within a cluster
 * (an Indic vowel sign drawn before its consonant, a split two-part vowel, a
 * Thai SARA AM): the glyphs are grouped into the smallest runs whose code
 * points are, as a multiset, the next characters of `text`, and those
 * characters are handed out to the run's glyphs in logical order. Read in
 * drawing order, the map then spells `text` (canonically equivalent where a
 * vowel was split). Undefined when no such grouping exists.
 */
export function clusterTexts(glyphs: readonly Glyph[], text: string): number[][] | undefined {
  const chars = [...text].map((char) => char.codePointAt(0) ?? 0);
  const texts: number[][] = [];
  let at = 0;
  let i = 0;
  const dotted = DOTTED_CIRCLE.codePointAt(0);
  const own = (glyph: Glyph) =>
    chars.includes(dotted ?? -1) ? glyph.codePoints : glyph.codePoints.filter((c) => c !== dotted);
  while (i < glyphs.length) {
    if (own(glyphs[i] as Glyph).length === 0) {
      texts.push([]);
      i += 1;
      continue;
    }
    const drawn: number[] = [];
    let matched = 0;
    let end = i;
    for (; end < glyphs.length && end < i + MAX_CLUSTER && matched === 0; end += 1) {
      drawn.push(...own(glyphs[end] as Glyph));
      const key = multisetKey(drawn);
      for (let k = 1; k <= MAX_CLUSTER && at + k <= chars.length; k += 1) {
        if (multisetKey(chars.slice(at, at + k)) === key) {
          matched = k;
          break;
        }
      }
    }
    if (matched === 0) return undefined;
    // The cluster's spacing glyphs carry its characters in logical order, one each (the text
    // decomposed when the shaper split a vowel into more glyphs), the last one the rest; marks
    // (zero advance) carry none. Read in drawing order they spell the cluster, and every glyph
    // box that carries text is one an extractor sees next to its neighbours, with no gap.
    const carriers: number[] = [];
    for (let j = i; j < end; j += 1) if ((glyphs[j] as Glyph).advanceWidth > 0) carriers.push(j);
    if (carriers.length === 0) carriers.push(i);
    let parts = chars.slice(at, at + matched);
    if (parts.length < carriers.length) {
      parts = [...String.fromCodePoint(...parts).normalize('NFD')].map(
        (c) => c.codePointAt(0) ?? 0,
      );
    }
    for (let j = i; j < end; j += 1) {
      const nth = carriers.indexOf(j);
      if (nth < 0) texts.push([]);
      else texts.push(nth < carriers.length - 1 ? parts.slice(nth, nth + 1) : parts.slice(nth));
    }
    at += matched;
    i = end;
  }
  return at === chars.length ? texts : undefined;
}

/**
 * Whether the glyphs of a left-to-right draw, or of a right-to-left word (its
 * glyphs come right to left), spell its text. Every draw is shaped in the
 * direction of its bidi level, not of its script (fonts.ts `shapeByBidiLevel`),
 * so glyphs in the other order were placed against the bidi algorithm: the
 * reader would see them reversed and pdftotext read them so.
 * Reordered clusters are checked through `clusterTexts` instead.
 */
function spells(glyphs: readonly Glyph[], text: string, mode: 'ltr' | 'rtl'): boolean {
  return spellsInOrder(glyphs, text, mode === 'rtl');
}

/** The neighbourhood of the first difference between what was drawn and what was encoded. */
function firstDifference(asked: string, encoded: string): TextLayerMismatch {
  let at = 0;
  while (at < asked.length && asked[at] === encoded[at]) at += 1;
  const from = Math.max(0, at - 20);
  return {
    font: '(all)',
    expected: asked.slice(from, at + 20),
    extracted: encoded.slice(from, at + 20),
  };
}

const RIGHT_TO_LEFT_MARK = 0x200f;

/**
 * Punctuation and symbols: neutral in the Unicode bidi algorithm, so inside a
 * right-to-left word they read right to left, but poppler's text extraction
 * (pdftotext) classes most of them as left-to-right. In a right-to-left line
 * it then keeps such a character together with the space before the next word
 * as a left-to-right piece, and `word1. word2` extracts as `word1 .word2`.
 */
const NEUTRAL_READ_AS_LTR = /^[\p{P}\p{S}]$/u;

/**
 * The text a glyph of a right-to-left word maps to, in visual order (what an
 * extractor reverses): a ligature's characters reversed (lam-alef → alef,
 * lam), and a neutral punctuation mark or symbol with a right-to-left mark
 * (U+200F, invisible) on its left, which, read back into logical order,
 * follows it: the mark is a right-to-left character, so the neutral stands
 * alone between two right-to-left ones and poppler keeps it in place.
 * Extractors that apply the bidi algorithm read the mark as what it is; an ATS
 * ignores it like the embedding marks pdftotext itself adds.
 */
function rightToLeftText(codePoints: readonly number[]): readonly number[] {
  if (codePoints.length > 1) return [...codePoints].reverse();
  const [only] = codePoints;
  if (only !== undefined && NEUTRAL_READ_AS_LTR.test(String.fromCodePoint(only))) {
    return [RIGHT_TO_LEFT_MARK, only];
  }
  return codePoints;
}

/** Guards one document's use of one font. */
class FontTextLayer {
  /** CIDs this document added for a glyph already mapped to other text, by `glyph:codePoints`. */
  private readonly duplicates = new Map<string, number>();
  /** The code points each CID was drawn for, to check the final ToUnicode map against. */
  private readonly drawnFor = new Map<number, readonly number[]>();
  readonly mismatches: TextLayerMismatch[] = [];

  constructor(
    private readonly name: string,
    private readonly font: EmbeddedFontInternals,
    private readonly encoded: string[],
    private readonly mode: () => DrawMode,
  ) {
    font.encode = (text, features) => this.encode(text, features);
  }

  /**
   * The CID of `glyph` as drawn for its code points. In a right-to-left word
   * its text is mapped in visual order (`rightToLeftText`): extractors put
   * right-to-left lines back into logical order by reversing their
   * characters, a glyph's mapped text included.
   */
  private cidFor(glyph: Glyph, rightToLeft: boolean, clusterText?: readonly number[]): number {
    const { subset, unicode, widths, scale } = this.font;
    const codePoints =
      clusterText ?? (rightToLeft ? rightToLeftText(glyph.codePoints) : glyph.codePoints);
    let cid = subset.includeGlyph(glyph.id);
    const mapped = unicode[cid];
    if (mapped !== undefined && !sameCodePoints(mapped, codePoints)) {
      const key = `${glyph.id}:${codePoints.join(',')}`;
      const duplicate = this.duplicates.get(key);
      if (duplicate !== undefined) return duplicate;
      subset.glyphs.push(glyph.id);
      cid = subset.glyphs.length - 1;
      this.duplicates.set(key, cid);
    }
    if (unicode[cid] === undefined) {
      unicode[cid] = codePoints;
      widths[cid] = glyph.advanceWidth * scale;
      this.drawnFor.set(cid, codePoints);
    }
    return cid;
  }

  private encode(text: string, features?: unknown): [string[], unknown[]] {
    this.encoded.push(text);
    const { glyphs, positions } = this.font.layout(text, features);
    const mode = this.mode();
    const clusters = mode === 'reordered' ? clusterTexts(glyphs, text) : undefined;
    const encoded: string[] = new Array(glyphs.length);
    for (let i = 0; i < glyphs.length; i += 1) {
      encoded[i] = this.hexOf(this.cidFor(glyphs[i] as Glyph, mode === 'rtl', clusters?.[i]));
    }
    const spelled =
      mode === 'reordered'
        ? clusters !== undefined &&
          String.fromCodePoint(...clusters.flat()).normalize('NFC') === text.normalize('NFC')
        : spells(glyphs, text, mode);
    if (!spelled) {
      this.report(text, glyphs.map((glyph) => String.fromCodePoint(...glyph.codePoints)).join(''));
    }
    return [encoded, positions];
  }

  private readonly hex: string[] = [];

  private hexOf(cid: number): string {
    let hex = this.hex[cid];
    if (hex === undefined) {
      hex = cid.toString(16).padStart(4, '0');
      this.hex[cid] = hex;
    }
    return hex;
  }

  private report(expected: string, extracted: string): void {
    if (this.mismatches.length < MAX_REPORTED) {
      this.mismatches.push({ font: this.name, expected, extracted });
    }
  }

  /** Checks the ToUnicode map as pdfkit will write it against what each CID was drawn for. */
  verify(): void {
    const { unicode } = this.font;
    for (const [cid, codePoints] of this.drawnFor) {
      const mapped = unicode[cid];
      if (!sameCodePoints(mapped, codePoints)) {
        this.report(
          String.fromCodePoint(...codePoints),
          mapped ? String.fromCodePoint(...mapped) : '',
        );
      }
    }
  }
}

/** One document's text-layer guard: every font the document uses, and the text it drew. */
export class TextLayerGuard {
  private readonly fonts: FontTextLayer[] = [];
  /** The text of every draw call, in order, and what the fonts were asked to encode. */
  private readonly asked: string[] = [];
  private readonly encoded: string[] = [];
  private mode: DrawMode = 'ltr';

  /** Takes over `embedded` (pdfkit's EmbeddedFont of this document) for the font named `name`. */
  guard(name: string, embedded: unknown): void {
    this.fonts.push(
      new FontTextLayer(name, embedded as EmbeddedFontInternals, this.encoded, () => this.mode),
    );
  }

  /** Records that `text` is about to be drawn (in `mode`), so `verify` can see it reached a font whole. */
  drawing(text: string, mode: DrawMode = 'ltr'): void {
    this.asked.push(text);
    this.mode = mode;
  }

  /** Throws {@link TextLayerError} when any drawn text of the document `sha256` would not extract exactly. */
  verify(sha256: string): void {
    const mismatches: TextLayerMismatch[] = [];
    const asked = this.asked.join('');
    const encoded = this.encoded.join('');
    if (asked !== encoded) mismatches.push(firstDifference(asked, encoded));
    for (const font of this.fonts) {
      font.verify();
      mismatches.push(...font.mismatches);
    }
    if (mismatches.length > 0) throw new TextLayerError(sha256, mismatches.slice(0, MAX_REPORTED));
  }
}
