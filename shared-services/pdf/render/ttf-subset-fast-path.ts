/**
 * A fast path for writing a TrueType subset (what pdfkit embeds as FontFile2).
 *
 * fontkit's `TTFSubset.encode` copies each used glyph's bytes (cheap), then
 * writes the font through restructure, which sizes and writes every table
 * number by number: the font's hinting programs (`fpgm`, `prep`, `cvt `: up to
 * 3.6 KB in each Noto font, 2 KB in DejaVu) byte by byte, for every document.
 * That was a fifth of a Latin render.
 *
 * Those tables, `head`, and all of `hhea` and `maxp` but their glyph counts
 * are the same in every subset of a font: they are taken once per font from
 * a subset fontkit writes itself, and each document's subset is assembled from
 * them plus its own `loca`, `glyf` and `hmtx`, laid out as restructure lays
 * them out (the same table order, contiguous, checksums 0). The bytes are
 * fontkit's own, tested against it in ttf-subset-fast-path.test.ts.
 *
 * Installed per font object (never on fontkit's classes), so a font that has
 * not been prepared, such as another renderer's in the same process, keeps
 * fontkit's code.
 */
import type { Font } from 'fontkit';

/** The fields of fontkit's TTFSubset this writer reads and fills, as fontkit's `encode` does. */
interface TtfSubset {
  glyphs: number[];
  glyf: Uint8Array[];
  offset: number;
  loca: { offsets: number[]; version: number };
  hmtx: { metrics: { advance: number; bearing: number }[]; bearings: number[] };
  _addGlyph(gid: number): number;
  encode(): Uint8Array;
}

interface FontInternals {
  createSubset(): TtfSubset | object;
  loca: { version: number };
  directory: { tables: Record<string, unknown> };
}

/** One font's subset layout: its directory header and tables, in fontkit's order. */
interface SubsetTemplate {
  header: Uint8Array;
  tables: { tag: Uint8Array; name: string; bytes: Uint8Array }[];
}

const DIRECTORY_HEADER = 12;
const TABLE_ENTRY = 16;
const HHEA_NUMBER_OF_METRICS = 34;
const MAXP_NUM_GLYPHS = 4;
/** Tables that depend on the subset's glyphs; every other table is copied as fontkit wrote it. */
const PER_SUBSET = new Set(['loca', 'glyf', 'hmtx']);

/** Reads the tables of a font fontkit has written (its own subset with glyph 0 only). */
function templateOf(reference: Uint8Array): SubsetTemplate {
  const view = new DataView(reference.buffer, reference.byteOffset, reference.byteLength);
  const count = view.getUint16(4);
  const tables: SubsetTemplate['tables'] = [];
  for (let i = 0; i < count; i += 1) {
    const entry = DIRECTORY_HEADER + TABLE_ENTRY * i;
    const tag = reference.slice(entry, entry + 4);
    const offset = view.getUint32(entry + 8);
    const length = view.getUint32(entry + 12);
    tables.push({
      tag,
      name: String.fromCharCode(...tag),
      bytes: reference.slice(offset, offset + length),
    });
  }
  const names = tables.map((table) => table.name);
  for (const required of ['hhea', 'maxp', ...PER_SUBSET]) {
    if (!names.includes(required)) throw new Error(`TrueType subset without ${required}`);
  }
  return { header: reference.slice(0, DIRECTORY_HEADER), tables };
}

/** fontkit's `TTFSubset.encode`, writing the tables directly. */
function encodeSubset(
  subset: TtfSubset,
  font: FontInternals,
  template: SubsetTemplate,
): Uint8Array {
  // Exactly fontkit's walk: components found while adding a glyph are appended and added in turn.
  subset.glyf = [];
  subset.offset = 0;
  subset.loca = { offsets: [], version: font.loca.version };
  subset.hmtx = { metrics: [], bearings: [] };
  let next = 0;
  while (next < subset.glyphs.length) subset._addGlyph(subset.glyphs[next++] as number);
  subset.loca.offsets.push(subset.offset);

  const glyphCount = subset.glyf.length;
  const longOffsets = subset.loca.version !== 0;
  const sizeOf = (name: string, constant: Uint8Array): number => {
    switch (name) {
      case 'loca':
        return subset.loca.offsets.length * (longOffsets ? 4 : 2);
      case 'glyf':
        return subset.offset;
      case 'hmtx':
        return subset.hmtx.metrics.length * 4;
      default:
        return constant.length;
    }
  };
  const directorySize = DIRECTORY_HEADER + TABLE_ENTRY * template.tables.length;
  let total = directorySize;
  const sizes = template.tables.map((table) => {
    const size = sizeOf(table.name, table.bytes);
    total += size;
    return size;
  });

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(template.header, 0);
  let offset = directorySize;
  template.tables.forEach((table, i) => {
    const entry = DIRECTORY_HEADER + TABLE_ENTRY * i;
    const size = sizes[i] as number;
    out.set(table.tag, entry);
    // checkSum stays 0, as fontkit writes it.
    view.setUint32(entry + 8, offset);
    view.setUint32(entry + 12, size);
    switch (table.name) {
      case 'loca': {
        // fontkit's loca `preEncode`: short offsets are stored halved.
        let at = offset;
        for (const value of subset.loca.offsets) {
          if (longOffsets) {
            view.setUint32(at, value);
            at += 4;
          } else {
            view.setUint16(at, value >>> 1);
            at += 2;
          }
        }
        break;
      }
      case 'glyf': {
        let at = offset;
        for (const glyph of subset.glyf) {
          out.set(glyph, at);
          at += glyph.length;
        }
        break;
      }
      case 'hmtx': {
        let at = offset;
        for (const metric of subset.hmtx.metrics) {
          view.setUint16(at, metric.advance);
          view.setInt16(at + 2, metric.bearing);
          at += 4;
        }
        break;
      }
      default: {
        out.set(table.bytes, offset);
        if (table.name === 'hhea') view.setUint16(offset + HHEA_NUMBER_OF_METRICS, glyphCount);
        if (table.name === 'maxp') view.setUint16(offset + MAXP_NUM_GLYPHS, glyphCount);
      }
    }
    offset += size;
  });
  return out;
}

/**
 * Makes every subset of `font` (a static TrueType font) write itself through
 * the fast path. Fonts with variations or CFF outlines keep fontkit's code.
 */
export function installTtfSubsetFastPath(font: Font): void {
  const internals = font as unknown as FontInternals;
  const { tables } = internals.directory;
  if (!tables.glyf || !tables.loca || tables.fvar) return;
  const createSubset = internals.createSubset.bind(font);
  let template: SubsetTemplate | undefined;
  internals.createSubset = () => {
    const subset = createSubset() as TtfSubset;
    if (typeof subset._addGlyph !== 'function') return subset;
    subset.encode = () => {
      template ??= templateOf((createSubset() as TtfSubset).encode());
      return encodeSubset(subset, internals, template);
    };
    return subset;
  };
}

/** For the test: fontkit's own encoding of `subset`, bypassing the fast path. */
export function encodeWithFontkit(subset: object): Uint8Array {
  const own = Object.getPrototypeOf(subset) as { encode(this: object): Uint8Array };
  return own.encode.call(subset);
}
