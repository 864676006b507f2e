/**
 * Font fallback: where a template's DejaVu face has no glyph, or for scripts
 * that need a font made for them, a Noto family draws the text. The fonts
 * come from Debian's `fonts-noto-core` and `fonts-noto-cjk` packages (SIL Open
 * Font License 1.1; notice in FONTS-LICENSE.md), installed by
 * `deploy/local/ensure-deps.sh`. A family missing on the machine is skipped:
 * its characters are then reported as uncovered, never drawn wrong.
 *
 * Faces are chosen per run of text by Unicode script and loaded lazily, once
 * per thread, on the first character that needs them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fontkit from 'fontkit';
import { installCffIndexFastPath } from './cff-index-fast-path.ts';
import {
  type FontFiles,
  type FontSet,
  type FontStyle,
  loadFontSet,
  prepareFont,
  unitWidth,
} from './fonts.ts';

/** A concrete font a run of text is drawn with. */
export interface Face {
  /** The name the face is registered under in a document (`regular`, `noto-arabic-bold`…). */
  key: string;
  font: fontkit.Font;
  /**
   * Shaping may put glyphs out of logical order (Indic vowel signs drawn
   * before their consonant) or split and shift them (Thai SARA AM): in such
   * runs each cluster's text is mapped onto its glyphs (text-layer.ts), so an
   * ATS reads the text as typed.
   */
  shapesClusters: boolean;
}

/** Where Debian installs the Noto fonts. */
export const NOTO_DIRS = ['/usr/share/fonts/truetype/noto', '/usr/share/fonts/opentype/noto'];

interface FontFile {
  file: string;
  /** The font inside a collection (`.ttc`). */
  postscriptName?: string;
}

interface Family {
  name: string;
  /** Characters of these scripts are drawn with this family when it has the glyph. */
  script: RegExp;
  regular: FontFile;
  bold: FontFile;
  shapesClusters?: boolean;
  /** When set, the family is used only for runs this test accepts (CJK variants by language). */
  prefers?: RegExp;
}

const cjk = (variant: string): Pick<Family, 'regular' | 'bold'> => ({
  regular: { file: 'NotoSansCJK-Regular.ttc', postscriptName: `NotoSansCJK${variant}-Regular` },
  bold: { file: 'NotoSansCJK-Bold.ttc', postscriptName: `NotoSansCJK${variant}-Bold` },
});
const noto = (name: string): Pick<Family, 'regular' | 'bold'> => ({
  regular: { file: `NotoSans${name}-Regular.ttf` },
  bold: { file: `NotoSans${name}-Bold.ttf` },
});

const HAN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u;

/** In order: the first family whose script matches and which has the glyph draws it. */
const FAMILIES: readonly Family[] = [
  { name: 'arabic', script: /\p{Script=Arabic}/u, ...noto('Arabic') },
  { name: 'hebrew', script: /\p{Script=Hebrew}/u, ...noto('Hebrew') },
  {
    name: 'devanagari',
    script: /\p{Script=Devanagari}/u,
    ...noto('Devanagari'),
    shapesClusters: true,
  },
  { name: 'bengali', script: /\p{Script=Bengali}/u, ...noto('Bengali'), shapesClusters: true },
  { name: 'tamil', script: /\p{Script=Tamil}/u, ...noto('Tamil'), shapesClusters: true },
  { name: 'thai', script: /\p{Script=Thai}/u, ...noto('Thai'), shapesClusters: true },
  { name: 'georgian', script: /\p{Script=Georgian}/u, ...noto('Georgian') },
  { name: 'armenian', script: /\p{Script=Armenian}/u, ...noto('Armenian') },
  // One CJK collection, its variant chosen by the run's language: kana → Japanese,
  // Hangul → Korean, otherwise Simplified Chinese glyph forms.
  {
    name: 'cjk-jp',
    script: HAN,
    prefers: /[\p{Script=Hiragana}\p{Script=Katakana}]/u,
    ...cjk('jp'),
  },
  { name: 'cjk-kr', script: HAN, prefers: /\p{Script=Hangul}/u, ...cjk('kr') },
  { name: 'cjk-sc', script: HAN, ...cjk('sc') },
];

const files = new Map<string, Buffer | null>();
/** Each family's loaded faces by weight (null: its file is not installed). */
const loaded = new Map<Family, Record<'regular' | 'bold', Face | null | undefined>>();

function readFontFile(file: string): Buffer | null {
  let buffer = files.get(file);
  if (buffer === undefined) {
    const dir = NOTO_DIRS.find((candidate) => existsSync(join(candidate, file)));
    buffer = dir ? readFileSync(join(dir, file)) : null;
    files.set(file, buffer);
  }
  return buffer;
}

/** A CFF subroutine that only returns: what a subset keeps in place of each unused one. */
const RETURN_ONLY = new Uint8Array([11]);
const patchedSubsetters = new WeakSet<object>();

/**
 * fontkit's CFF subsetter keeps every subroutine index (charstrings call them
 * by number) and allocates a fresh one-byte "return" for each unused one; Noto
 * CJK has tens of thousands per font dict, so that allocation was a third of a
 * CJK render. One shared, never-written buffer gives the same bytes: this is
 * fontkit's own `subsetSubrs` with the constant hoisted.
 */
function shareUnusedSubroutines(font: fontkit.Font): void {
  if (!(font as unknown as { 'CFF '?: unknown })['CFF ']) return;
  const prototype = Object.getPrototypeOf(
    (font as unknown as { createSubset(): object }).createSubset(),
  ) as {
    subsetSubrs(
      subrs: { offset: number; length: number }[],
      used: Record<number, boolean>,
    ): unknown;
    cff: { stream: { pos: number; readBuffer(length: number): Uint8Array } };
  };
  if (patchedSubsetters.has(prototype)) return;
  prototype.subsetSubrs = function subsetSubrs(subrs, used) {
    const kept: Uint8Array[] = new Array(subrs.length);
    for (let i = 0; i < subrs.length; i += 1) {
      const subr = subrs[i] as { offset: number; length: number };
      if (used[i]) {
        this.cff.stream.pos = subr.offset;
        kept[i] = this.cff.stream.readBuffer(subr.length);
      } else {
        kept[i] = RETURN_ONLY;
      }
    }
    return kept;
  };
  patchedSubsetters.add(prototype);
}

installCffIndexFastPath();

function loadFace(family: Family, weight: 'regular' | 'bold'): Face | undefined {
  let faces = loaded.get(family);
  if (!faces) {
    faces = { regular: undefined, bold: undefined };
    loaded.set(family, faces);
  }
  let face = faces[weight];
  if (face === undefined) {
    const key = `noto-${family.name}-${weight}`;
    const { file, postscriptName } = family[weight];
    const buffer = readFontFile(file);
    const font = buffer ? prepareFont(fontkit.create(buffer, postscriptName)) : undefined;
    if (font) shareUnusedSubroutines(font);
    face = font
      ? {
          key,
          font,
          shapesClusters: family.shapesClusters === true,
        }
      : null;
    faces[weight] = face;
  }
  return face ?? undefined;
}

/** Script=Common and Inherited characters (spaces, digits, punctuation, marks) belong to their neighbours. */
const NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;

export interface FaceRun {
  text: string;
  face: Face;
}

/** The faces of one template: its three DejaVu styles, then the Noto fallbacks. */
export class FaceSet {
  private readonly primary: Record<FontStyle, Face>;

  constructor(fonts: FontSet) {
    this.primary = {
      regular: { key: 'regular', font: fonts.regular, shapesClusters: false },
      bold: { key: 'bold', font: fonts.bold, shapesClusters: false },
      italic: { key: 'italic', font: fonts.italic, shapesClusters: false },
    };
  }

  primaryFace(style: FontStyle): Face {
    return this.primary[style];
  }

  /** The fallback of `family` for `style`: Noto has no italics, so italic text uses the regular weight. */
  private fallback(family: Family, style: FontStyle): Face | undefined {
    return loadFace(family, style === 'bold' ? 'bold' : 'regular');
  }

  /**
   * The face that draws `char` in `style` within a run whose text is `context`,
   * or undefined when no font has a glyph for it.
   */
  faceFor(char: string, style: FontStyle, context = char): Face | undefined {
    const cache = this.faces[style];
    const known = cache.get(char);
    if (known !== undefined) return known ?? undefined;
    const codePoint = char.codePointAt(0) ?? 0;
    const primary = this.primary[style];
    const neutral = NEUTRAL.test(char);
    if (neutral && primary.font.hasGlyphForCodePoint(codePoint))
      return this.remember(cache, char, primary);
    // Whether the answer depended on `context` (a CJK family chosen by the run's language).
    let byContext = false;
    for (const family of FAMILIES) {
      if (!neutral && !family.script.test(char)) continue;
      if (family.prefers) {
        byContext = true;
        if (!family.prefers.test(context)) continue;
      }
      const face = this.fallback(family, style);
      if (face?.font.hasGlyphForCodePoint(codePoint)) {
        return byContext ? face : this.remember(cache, char, face);
      }
    }
    const face = !neutral && primary.font.hasGlyphForCodePoint(codePoint) ? primary : undefined;
    return byContext ? face : this.remember(cache, char, face);
  }

  /**
   * Per style, the face of each character whose face does not depend on the
   * run it sits in (all but Han and its neighbours): a function of the
   * character and the installed fonts only, so it is shared by every document.
   */
  private readonly faces: Record<FontStyle, Map<string, Face | null>> = {
    regular: new Map(),
    bold: new Map(),
    italic: new Map(),
  };

  private remember(
    cache: Map<string, Face | null>,
    char: string,
    face: Face | undefined,
  ): Face | undefined {
    if (cache.size >= FACE_CACHE_LIMIT) cache.clear();
    cache.set(char, face ?? null);
    return face;
  }

  private readonly coverage = new Map<string, boolean>();

  /** Whether every style can draw `char`. */
  covers(char: string): boolean {
    let covered = this.coverage.get(char);
    if (covered === undefined) {
      covered =
        this.faceFor(char, 'regular') !== undefined &&
        this.faceFor(char, 'bold') !== undefined &&
        this.faceFor(char, 'italic') !== undefined;
      this.coverage.set(char, covered);
    }
    return covered;
  }

  /** Per style, the width of each measured text at 1 pt (words repeat within and across resumes). */
  private readonly widths: Record<FontStyle, Map<string, number>> = {
    regular: new Map(),
    bold: new Map(),
    italic: new Map(),
  };

  /** Width of `text` at 1 pt in `style`, each run in the face that draws it. */
  widthOf(text: string, style: FontStyle): number {
    const cache = this.widths[style];
    let width = cache.get(text);
    if (width === undefined) {
      width = 0;
      for (const run of this.itemize(text, style)) width += unitWidth(run.face.font, run.text);
      if (cache.size >= WIDTH_CACHE_LIMIT) cache.clear();
      cache.set(text, width);
    }
    return width;
  }

  /**
   * Splits `text` (already cleaned: every character drawable) into runs of one
   * face. Neutral characters (spaces, punctuation, combining marks) stay in the
   * face of the run they sit in when it has their glyph, so a word keeps one
   * font and shapes as a whole.
   */
  itemize(text: string, style: FontStyle): FaceRun[] {
    const primary = this.primary[style];
    if (ASCII.test(text)) return [{ text, face: primary }];
    const runs: FaceRun[] = [];
    let current: FaceRun | undefined;
    for (const char of text) {
      const codePoint = char.codePointAt(0) ?? 0;
      let face: Face | undefined;
      if (current && NEUTRAL.test(char) && current.face.font.hasGlyphForCodePoint(codePoint)) {
        face = current.face;
      } else {
        face = this.faceFor(char, style, text) ?? primary;
      }
      if (current && current.face === face) {
        current.text += char;
      } else {
        current = { text: char, face };
        runs.push(current);
      }
    }
    return runs;
  }
}

/** Bounds the per-style character caches (a fuzzed resume may use any code point). */
const FACE_CACHE_LIMIT = 20_000;
const WIDTH_CACHE_LIMIT = 50_000;

/** Printable ASCII (cleaned text has no control characters): always the template's own face. */
const ASCII = /^[\u0020-\u007e]*$/;

const faceSets = new Map<string, FaceSet>();

/** The faces of a template's font files, built once per thread. */
export function loadFaceSet(files: FontFiles): FaceSet {
  const key = `${files.regular}|${files.bold}|${files.italic}`;
  let faces = faceSets.get(key);
  if (!faces) {
    faces = new FaceSet(loadFontSet(files));
    faceSets.set(key, faces);
  }
  return faces;
}
