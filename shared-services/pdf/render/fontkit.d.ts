/** The small part of fontkit 2's API this service uses (the package ships no types). */
declare module 'fontkit' {
  export interface GlyphRun {
    advanceWidth: number;
  }
  export interface Font {
    readonly unitsPerEm: number;
    readonly ascent: number;
    readonly descent: number;
    readonly postscriptName: string;
    hasGlyphForCodePoint(codePoint: number): boolean;
    layout: (text: string, features?: string[] | Record<string, boolean>) => GlyphRun;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
