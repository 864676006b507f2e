/**
 * Script coverage. Text is NFC-normalised, control characters become spaces,
 * invisible format characters are dropped, and every code point that neither
 * the template's fonts nor a fallback font can draw is reported, never lost
 * silently: an emoji is left out cleanly, anything else (private use, scripts
 * without a font) is replaced by a visible U+FFFD marker.
 */
import type { FaceSet } from './font-fallback.ts';

export const UNCOVERED_MARKER = '\uFFFD';

// C0/C1 controls, line/paragraph separators and bidi controls: never drawn.
const CONTROL = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
// Invisible format characters (soft hyphen, zero-width space and joiners,
// variation selectors…): shaping draws them as a zero-width space glyph, which
// would extract as a space an ATS never saw. Dropping them changes nothing visible.
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
// Pictographs, flags' regional indicators, skin tones and the keycap mark.
const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}]|\u20e3/u;
const ALWAYS_COVERED = /^[\u0020-\u007e\u00a0-\u024f\u2013\u2014\u2022\u00b7]*$/;

/** Makes text safe for one output format; the model builder passes every string through it. */
export interface TextCleaner {
  clean(text: string): string;
}

/** NFC, control characters as spaces, invisible format characters dropped. */
function normalizeText(text: string): string {
  return text.normalize('NFC').replace(CONTROL, ' ').replace(DEFAULT_IGNORABLE, '');
}

/**
 * For DOCX and plain text: the same normalisation as for PDF, but every
 * character is kept, since the reader's word processor picks the fonts.
 */
export const PLAIN_TEXT: TextCleaner = { clean: normalizeText };

/** Collects uncovered code points across one render. */
export class CoverageReport implements TextCleaner {
  readonly uncovered = new Set<number>();

  constructor(private readonly faces: FaceSet) {}

  /** Returns `text` made safe to draw with the font set. */
  clean(text: string): string {
    const normalized = normalizeText(text);
    // Fast path: printable ASCII and Latin-1/Extended-A/B are in every DejaVu face.
    if (ALWAYS_COVERED.test(normalized)) return normalized;
    let out = '';
    let dropped = false;
    for (const char of normalized) {
      const codePoint = char.codePointAt(0) ?? 0;
      if (this.faces.covers(char)) {
        out += char;
      } else if (EMOJI.test(char)) {
        // No colour emoji font: an emoji is left out cleanly (and reported), not marked.
        this.uncovered.add(codePoint);
        dropped = true;
      } else {
        this.uncovered.add(codePoint);
        out += UNCOVERED_MARKER;
      }
    }
    return dropped ? out.replace(/ {2,}/g, ' ').trim() : out;
  }

  /** Uncovered code points as sorted `U+XXXX` labels. */
  labels(): string[] {
    return [...this.uncovered]
      .sort((a, b) => a - b)
      .map((cp) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
  }
}
