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
let glyphDecodingMemoized = false;

/**
 * Subsetting a font for a document decodes each used glyph's outline again,
 * which was most of a render's time. Glyph objects are already cached per
 * font; memoising their decoded outline (never mutated for static TrueType
 * fonts such as DejaVu) makes a subset several times cheaper. Patched once
 * per thread on fontkit's TrueType glyph class.
 */
function memoizeGlyphDecoding(font: fontkit.Font): void {
  if (glyphDecodingMemoized) return;
  const sample = (font as unknown as { getGlyph(id: number): DecodableGlyph }).getGlyph(0);
  const prototype = Object.getPrototypeOf(sample) as DecodableGlyph;
  const decode = prototype._decode;
  prototype._decode = function memoizedDecode(this: DecodableGlyph) {
    if (this.__decoded === undefined) this.__decoded = decode.call(this);
    return this.__decoded;
  };
  glyphDecodingMemoized = true;
}

/** Returns the parsed font for a file of the DejaVu package, parsing it once per thread. */
export function loadFont(file: string): fontkit.Font {
  let font = parsed.get(file);
  if (!font) {
    const loaded = fontkit.create(readFileSync(join(fontDir, file)));
    // Shaping features fixed on the instance, so pdfkit (which skips its layout
    // cache whenever features are passed explicitly) measures and draws alike.
    const layout = loaded.layout.bind(loaded);
    loaded.layout = (text, features) => layout(text, features ?? FONT_FEATURES);
    memoizeGlyphDecoding(loaded);
    font = loaded;
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
 * font, so documents of one thread share that cache: a render then only
 * shapes words it has not seen before. Reset now and then to bound memory.
 */
const sharedLayoutCaches = new Map<fontkit.Font, Record<string, unknown>>();
let documentsSinceReset = 0;
const LAYOUT_CACHE_RESET_EVERY = 2_000;

export function sharedLayoutCache(font: fontkit.Font): Record<string, unknown> {
  let cache = sharedLayoutCaches.get(font);
  if (!cache) {
    cache = Object.create(null) as Record<string, unknown>;
    sharedLayoutCaches.set(font, cache);
  }
  return cache;
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
