/**
 * The text-layer guard over a stand-in for pdfkit's per-document font (its
 * subset, ToUnicode array and layout), so the cases real DejaVu text never
 * produces (one glyph for two characters, glyphs spelling other text) are
 * exercised directly. Real documents are covered by ../text-layer.test.ts.
 */
import type { Glyph } from 'fontkit';
import { describe, expect, it } from 'vitest';
import { TextLayerError, TextLayerGuard } from './text-layer.ts';

/** A font whose layout maps each character to the glyph id `glyphIds[char]`, with code points from `spell`. */
function fakeEmbeddedFont(glyphIds: Record<string, number>, spell = (char: string) => char) {
  const mapping = new Map<number, number>([[0, 0]]);
  const font = {
    subset: {
      glyphs: [0],
      includeGlyph(id: number) {
        let cid = mapping.get(id);
        if (cid === undefined) {
          font.subset.glyphs.push(id);
          cid = font.subset.glyphs.length - 1;
          mapping.set(id, cid);
        }
        return cid;
      },
    },
    unicode: [[0]] as (readonly number[] | undefined)[],
    widths: [500] as (number | undefined)[],
    scale: 1,
    layout(text: string) {
      const glyphs: Glyph[] = [...text].map((char) => ({
        id: glyphIds[char] ?? 0,
        codePoints: [...spell(char)].map((c) => c.codePointAt(0) ?? 0),
        advanceWidth: 500,
      }));
      return { glyphs, positions: glyphs.map(() => ({ xAdvance: 500 })) };
    },
    encode(_text: string): [string[], unknown[]] {
      throw new Error('replaced by the guard');
    },
  };
  return font;
}

describe('TextLayerGuard', () => {
  it('maps each CID to the code points it was drawn for', () => {
    const font = fakeEmbeddedFont({ a: 7, b: 8 });
    const guard = new TextLayerGuard();
    guard.guard('regular', font);
    guard.drawing('abba');
    const [encoded] = font.encode('abba');
    expect(encoded).toEqual(['0001', '0002', '0002', '0001']);
    expect(font.unicode[1]).toEqual([0x61]);
    expect(font.unicode[2]).toEqual([0x62]);
    expect(() => guard.verify('hash')).not.toThrow();
  });

  it('gives one glyph drawn for two different characters a CID of its own for each', () => {
    // A space and a no-break space drawn with the same glyph.
    const font = fakeEmbeddedFont({ ' ': 3, '\u00a0': 3 });
    const guard = new TextLayerGuard();
    guard.guard('regular', font);
    guard.drawing(' \u00a0 ');
    const [encoded] = font.encode(' \u00a0 ');
    expect(encoded).toEqual(['0001', '0002', '0001']);
    expect(font.subset.glyphs).toEqual([0, 3, 3]);
    expect(font.unicode[1]).toEqual([0x20]);
    expect(font.unicode[2]).toEqual([0xa0]);
    expect(() => guard.verify('hash')).not.toThrow();
  });

  it('refuses a document whose glyphs spell other text than was drawn, naming its hash', () => {
    const font = fakeEmbeddedFont({ J: 1, u: 2, g: 3 }, (char) => (char === 'g' ? '' : char));
    const guard = new TextLayerGuard();
    guard.guard('bold', font);
    guard.drawing('Jug');
    font.encode('Jug');
    const error = (() => {
      try {
        guard.verify('abc123');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TextLayerError);
    expect((error as TextLayerError).documentSha256).toBe('abc123');
    expect((error as TextLayerError).mismatches).toEqual([
      { font: 'bold', expected: 'Jug', extracted: 'Ju' },
    ]);
  });

  it('accepts a right-to-left word whose glyphs come right to left, mapping each in visual order', () => {
    const font = fakeEmbeddedFont({ '-': 1, '+': 2 });
    const layout = font.layout;
    font.layout = (text: string) => {
      const run = layout(text);
      return { glyphs: run.glyphs.reverse(), positions: run.positions };
    };
    const guard = new TextLayerGuard();
    guard.guard('regular', font);
    guard.drawing('-+', 'rtl');
    const [encoded] = font.encode('-+');
    expect(encoded).toEqual(['0001', '0002']);
    // Each neutral with a right-to-left mark on its left, so pdftotext keeps it in place.
    expect(font.unicode[1]).toEqual([0x200f, 0x2b]);
    expect(font.unicode[2]).toEqual([0x200f, 0x2d]);
    expect(() => guard.verify('hash')).not.toThrow();
  });

  it('refuses a right-to-left word whose glyphs come left to right, even punctuation alone', () => {
    // Between right-to-left words, `-+` reads right to left: drawn left to right, the reader
    // sees `+-` where the text says `-+`. fontkit shaped such a run by its script (none), not
    // by its bidi level.
    const font = fakeEmbeddedFont({ '-': 1, '+': 2 });
    const guard = new TextLayerGuard();
    guard.guard('regular', font);
    guard.drawing('-+', 'rtl');
    font.encode('-+');
    expect(() => guard.verify('hash')).toThrow(TextLayerError);
  });

  it('refuses a document whose ToUnicode map was changed after drawing', () => {
    const font = fakeEmbeddedFont({ a: 1 });
    const guard = new TextLayerGuard();
    guard.guard('regular', font);
    guard.drawing('a');
    font.encode('a');
    font.unicode[1] = [0x62];
    expect(() => guard.verify('hash')).toThrow(TextLayerError);
  });

  it('refuses a document where drawn text never reached a font whole', () => {
    const font = fakeEmbeddedFont({ a: 1, b: 2 });
    const guard = new TextLayerGuard();
    guard.guard('regular', font);
    guard.drawing('ab');
    font.encode('a');
    expect(() => guard.verify('hash')).toThrow(/1 place/);
  });
});
