/** The small part of fontkit 2's API this service uses (the package ships no types). */
declare module 'fontkit' {
  export interface Glyph {
    readonly id: number;
    /** The code points this glyph was created for; fontkit keeps the first caller's (see fonts.ts). */
    readonly codePoints: readonly number[];
    readonly advanceWidth: number;
  }
  export interface GlyphRun {
    glyphs: Glyph[];
    positions: Record<string, number>[];
    advanceWidth: number;
  }
  export interface Font {
    readonly unitsPerEm: number;
    readonly ascent: number;
    readonly descent: number;
    readonly postscriptName: string;
    hasGlyphForCodePoint(codePoint: number): boolean;
    getGlyph(id: number, codePoints?: readonly number[]): Glyph | null;
    /** `direction` defaults to that of the first script in `text` other than Common and Inherited. */
    layout: (
      text: string,
      features?: string[] | Record<string, boolean>,
      script?: string,
      language?: string,
      direction?: 'ltr' | 'rtl',
    ) => GlyphRun;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
