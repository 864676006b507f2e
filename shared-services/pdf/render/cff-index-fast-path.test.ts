import { existsSync, readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import {
  cffIndexFastPathActive,
  installCffIndexFastPath,
  withFontkitIndexCode,
} from './cff-index-fast-path.ts';

const CJK = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

/** A subset of the font's CFF with the glyphs of `text`, as pdfkit embeds it. */
function subset(font: fontkit.Font, text: string): Uint8Array {
  const sub = (
    font as unknown as {
      createSubset(): { includeGlyph(g: unknown): number; encode(): Uint8Array };
    }
  ).createSubset();
  for (const glyph of font.layout(text).glyphs) sub.includeGlyph(glyph);
  return sub.encode();
}

describe.skipIf(!existsSync(CJK))('the CFF INDEX fast path', () => {
  it('writes the same bytes as fontkit for Chinese, Japanese and Korean subsets', async () => {
    installCffIndexFastPath();
    const font = fontkit.create(readFileSync(CJK), 'NotoSansCJKsc-Regular') as fontkit.Font;
    const texts = [
      '高级软件工程师，负责分布式系统',
      'ソフトウェアエンジニア',
      '소프트웨어 엔지니어',
      'A',
    ];
    const fast = texts.map((text) => subset(font, text));
    expect(cffIndexFastPathActive()).toBe(true);
    const reference = await withFontkitIndexCode(() => texts.map((text) => subset(font, text)));
    for (const [i, bytes] of fast.entries()) {
      expect(Buffer.from(bytes).equals(Buffer.from(reference[i] as Uint8Array)), texts[i]).toBe(
        true,
      );
    }
    // A CFF 1 table (pdfkit embeds it as FontFile3): header major version 1, header size 4.
    expect([...(fast[0] as Uint8Array).subarray(0, 3)]).toEqual([1, 0, 4]);
  });
});
