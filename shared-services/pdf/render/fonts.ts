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

/** Returns the parsed font for a file of the DejaVu package, parsing it once per thread. */
export function loadFont(file: string): fontkit.Font {
  let font = parsed.get(file);
  if (!font) {
    font = fontkit.create(readFileSync(join(fontDir, file)));
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
    width = font.layout(text, FONT_FEATURES).advanceWidth / font.unitsPerEm;
    if (cache.size >= WIDTH_CACHE_LIMIT) cache.clear();
    cache.set(text, width);
  }
  return width;
}
