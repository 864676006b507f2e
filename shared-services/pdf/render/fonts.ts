/**
 * Embedded fonts: the DejaVu families from the `dejavu-fonts-ttf` package
 * (Bitstream Vera licence + public-domain changes; notice in FONTS-LICENSE.md).
 * Each thread parses a font file once and reuses the fontkit object for every
 * document, which is most of what keeps a render in single-digit milliseconds.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';
import type { Direction } from './bidi.ts';
import { installTtfSubsetFastPath } from './ttf-subset-fast-path.ts';

export type FontStyle = 'regular' | 'bold' | 'italic';
export type FontFiles = Record<FontStyle, string>;

/** The shaping features used to measure and to draw; ligatures off so `fi` extracts as two letters. */
export const FONT_FEATURES: Record<string, boolean> = { liga: false, clig: false, dlig: false };

const fontDir = join(
  dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);
const parsed = new Map<string, fontkit.Font>();

interface DecodableGlyph {
  _decode(): unknown;
  __decoded?: unknown;
}
const memoizedPrototypes = new WeakSet<object>();

/**
 * Subsetting a font for a document decodes each used glyph's outline again,
 * which was most of a render's time. Glyph objects are already cached per
 * font; memoising their decoded outline makes a subset several times cheaper.
 * It is document-independent: for a static TrueType font (DejaVu, the Noto
 * TTFs) the decoded record is a function of the font file and the glyph id
 * alone, and fontkit only reads it: the subsetter copies the raw glyph bytes
 * and writes component ids into its own copy, and outlines are built into new
 * point objects. Patched once per glyph class, never for variable or CFF fonts.
 */
function memoizeGlyphDecoding(font: fontkit.Font): void {
  const tables = (font as unknown as { directory: { tables: Record<string, unknown> } }).directory
    .tables;
  if (!tables.glyf || tables.fvar) return;
  const sample = font.getGlyph(0) as unknown as DecodableGlyph;
  const prototype = Object.getPrototypeOf(sample) as DecodableGlyph;
  if (memoizedPrototypes.has(prototype)) return;
  const decode = prototype._decode;
  prototype._decode = function memoizedDecode(this: DecodableGlyph) {
    if (this.__decoded === undefined) this.__decoded = decode.call(this);
    return this.__decoded;
  };
  memoizedPrototypes.add(prototype);
}

function sameCodePoints(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * fontkit caches one glyph object per glyph id and stores on it the code
 * points of whoever asked for it first: a composite glyph's components
 * (the `g` inside `ğ`, created while subsetting) get none, and a glyph shared
 * by two characters gets the first one's. pdfkit builds each document's
 * ToUnicode map from those code points, so with fonts shared across
 * documents one document's text decided what the next one's text layer said.
 * This makes `getGlyph(id, codePoints)` return a glyph whose `codePoints` are
 * exactly the ones asked for: the cached glyph when they match, otherwise a
 * view of it (same outline and metrics) carrying its own code points. The
 * result depends only on the arguments, never on what was rendered before.
 */
function glyphsKeepTheirCodePoints(font: fontkit.Font): void {
  const getGlyph = font.getGlyph.bind(font);
  const views = new Map<string, fontkit.Glyph>();
  font.getGlyph = (id, codePoints = []) => {
    const glyph = getGlyph(id, codePoints);
    if (glyph === null || sameCodePoints(glyph.codePoints, codePoints)) return glyph;
    const key = `${id}:${codePoints.join(',')}`;
    let view = views.get(key);
    if (!view) {
      view = Object.create(glyph, {
        codePoints: { value: Object.freeze([...codePoints]), enumerable: true },
      }) as fontkit.Glyph;
      views.set(key, view);
    }
    return view;
  };
}

/** Makes a freshly parsed font safe and fast to share by every document of a thread. */
export function prepareFont(font: fontkit.Font): fontkit.Font {
  glyphsKeepTheirCodePoints(font);
  // Shaping features fixed on the instance, so pdfkit (which skips its layout
  // cache whenever features are passed explicitly) measures and draws alike.
  const layout = font.layout.bind(font);
  font.layout = (text, features, script, language, direction) =>
    layout(text, features ?? FONT_FEATURES, script, language, direction);
  memoizeGlyphDecoding(font);
  installTtfSubsetFastPath(font);
  return font;
}

/** Returns the parsed font for a file of the DejaVu package, parsing it once per thread. */
export function loadFont(file: string): fontkit.Font {
  let font = parsed.get(file);
  if (!font) {
    font = prepareFont(fontkit.create(readFileSync(join(fontDir, file))));
    parsed.set(file, font);
  }
  return font;
}
export interface FontSet {
  regular: fontkit.Font;
  bold: fontkit.Font;
  italic: fontkit.Font;
}

export function loadFontSet(files: FontFiles): FontSet {
  return {
    regular: loadFont(files.regular),
    bold: loadFont(files.bold),
    italic: loadFont(files.italic),
  };
}

/**
 * pdfkit lays out every word once per document and caches it on the
 * document's font object. The layout of a word depends only on the parsed
 * font, the word and the direction it is shaped in: its glyphs carry the
 * word's own code points (see `glyphsKeepTheirCodePoints`) and pdfkit never
 * mutates a cached run's glyphs or positions (it copies them when it
 * justifies). So documents of one thread share that cache, one per font and
 * direction, and a render only shapes words it has not seen before. Reset now
 * and then to bound memory.
 */
const sharedLayoutCaches = new Map<fontkit.Font, Record<Direction, Record<string, unknown>>>();
let documentsSinceReset = 0;
const LAYOUT_CACHE_RESET_EVERY = 2_000;

function sharedLayoutCache(font: fontkit.Font, direction: Direction): Record<string, unknown> {
  let caches = sharedLayoutCaches.get(font);
  if (!caches) {
    caches = {
      ltr: Object.create(null) as Record<string, unknown>,
      rtl: Object.create(null) as Record<string, unknown>,
    };
    sharedLayoutCaches.set(font, caches);
  }
  return caches[direction];
}

/** The parts of pdfkit's EmbeddedFont (a document's use of one font) that shaping relies on. */
interface EmbeddedLayout {
  scale: number;
  layoutCache?: Record<string, unknown>;
  layoutRun(text: string, features?: string[] | Record<string, boolean>): fontkit.GlyphRun;
}

/**
 * Makes a document's font (pdfkit's EmbeddedFont of `font`) shape text in the
 * direction of its bidi level, set before each draw by the function returned,
 * and share the thread's layout cache of that direction.
 *
 * Left alone, fontkit shapes a run in the direction of its first script other
 * than Common and Inherited, and reverses the glyphs of an Arabic or Hebrew
 * one. The bidi algorithm decides otherwise for what is Arabic by script but
 * not a letter: Arabic-Indic digits (AN, or EN for ۰–۹) always sit at an even,
 * left-to-right level, and so may the percent and per-mille signs ٪ ؉ ؊ (ET)
 * and Arabic combining marks, with the neutrals after them (next to a European
 * digit, or in a left-to-right line). A number such as ١٢٣ was drawn ٣٢١ and
 * `٪-` as `-٪`: the reader saw them reversed and pdftotext read them so. A run
 * of punctuation alone between right-to-left words is the converse: at a
 * right-to-left level, it was drawn left to right.
 */
export function shapeByBidiLevel(
  embedded: unknown,
  font: fontkit.Font,
): (direction: Direction) => void {
  const target = embedded as EmbeddedLayout;
  const cached = target.layoutCache !== undefined;
  let direction: Direction = 'ltr';
  // pdfkit's own layoutRun, with the direction passed: positions and advances in the
  // document's units (1000 per em).
  target.layoutRun = (text, features) => {
    const run = font.layout(text, features, undefined, undefined, direction);
    run.positions.forEach((position, i) => {
      for (const key of Object.keys(position)) position[key] = (position[key] ?? 0) * target.scale;
      position.advanceWidth = (run.glyphs[i]?.advanceWidth ?? 0) * target.scale;
    });
    return run;
  };
  const shapeIn = (next: Direction) => {
    direction = next;
    if (cached) target.layoutCache = sharedLayoutCache(font, next);
  };
  shapeIn(direction);
  return shapeIn;
}

/** Called once per document; drops the shared caches every so many documents. */
export function countDocument(): void {
  documentsSinceReset += 1;
  if (documentsSinceReset >= LAYOUT_CACHE_RESET_EVERY) {
    documentsSinceReset = 0;
    sharedLayoutCaches.clear();
  }
}

const widthCaches = new WeakMap<fontkit.Font, Map<string, number>>();
const WIDTH_CACHE_LIMIT = 50_000;

/** Advance width of `text` at 1 pt, cached per font and string (words repeat across resumes). */
export function unitWidth(font: fontkit.Font, text: string): number {
  let cache = widthCaches.get(font);
  if (!cache) {
    cache = new Map();
    widthCaches.set(font, cache);
  }
  let width = cache.get(text);
  if (width === undefined) {
    width = font.layout(text).advanceWidth / font.unitsPerEm;
    if (cache.size >= WIDTH_CACHE_LIMIT) cache.clear();
    cache.set(text, width);
  }
  return width;
}
