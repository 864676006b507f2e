import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { NOTO_DIRS } from './font-fallback.ts';
import { encodeWithFontkit, installTtfSubsetFastPath } from './ttf-subset-fast-path.ts';

const dejavu = join(
  dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);

/** Every TrueType file a template or a fallback can embed. */
const FILES = [
  ...readdirSync(dejavu)
    .filter((file) => /^DejaVu(Sans|Serif)(-Bold|-Oblique|-Italic)?\.ttf$/.test(file))
    .map((file) => join(dejavu, file)),
  ...NOTO_DIRS.filter((dir) => existsSync(dir)).flatMap((dir) =>
    readdirSync(dir)
      .filter((file) =>
        /^NotoSans(Arabic|Hebrew|Devanagari|Bengali|Tamil|Thai|Georgian|Armenian)-(Regular|Bold)\.ttf$/.test(
          file,
        ),
      )
      .map((file) => join(dir, file)),
  ),
];

interface Subset {
  includeGlyph(glyph: number): number;
  encode(): Uint8Array;
}

/** A deterministic pseudo-random sequence, so a failure names a reproducible subset. */
function* numbers(seed: number): Generator<number> {
  let state = seed;
  for (;;) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    yield state;
  }
}

describe('the TrueType subset fast path', () => {
  it('finds the DejaVu fonts', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(6);
  });

  for (const file of FILES) {
    it(`writes the same bytes as fontkit: ${file.split('/').pop()}`, () => {
      const font = fontkit.create(readFileSync(file)) as fontkit.Font & {
        numGlyphs: number;
        createSubset(): Subset;
      };
      installTtfSubsetFastPath(font);
      const random = numbers(file.length);
      // Text the font shapes (its own glyphs in shaping order), glyph 0 alone, and random
      // glyph ids (composites pull in their components).
      const sets: number[][] = [
        [],
        font
          .layout('Résumé — Senior Engineer, 2019–2024 (Ünïcode) שלום مرحبا नमस्ते')
          .glyphs.map((glyph) => glyph.id),
      ];
      for (let n = 0; n < 8; n += 1) {
        const size = 1 + ((random.next().value as number) % 200);
        sets.push(
          Array.from({ length: size }, () => (random.next().value as number) % font.numGlyphs),
        );
      }
      // Every glyph of a small font (the Noto Hebrew, Thai… ones store short loca offsets):
      // the largest subset, where those offsets are widest.
      if (font.numGlyphs <= 1_000) sets.push(Array.from({ length: font.numGlyphs }, (_, id) => id));
      for (const ids of sets) {
        const fast = font.createSubset();
        const reference = font.createSubset();
        for (const id of ids) {
          fast.includeGlyph(id);
          reference.includeGlyph(id);
        }
        // The fast path is the subset's own method; fontkit's stays on the prototype.
        expect(Object.hasOwn(fast, 'encode')).toBe(true);
        const bytes = fast.encode();
        const expected = encodeWithFontkit(reference);
        expect(Buffer.from(bytes).equals(Buffer.from(expected)), `${ids.length} glyphs`).toBe(true);
      }
    });
  }
});
