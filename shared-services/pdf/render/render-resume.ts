/**
 * `renderResume`: JSON Resume in, PDF bytes out, in-process and without HTTP,
 * so the worker pool, the benchmarks and the tests all call the same function.
 *
 * Output is deterministic: fixed creation and modification dates, a file ID
 * derived from the (fixed) info dictionary, font subset tags derived from the
 * font ids, and no clock or randomness anywhere. Same input, same bytes.
 */
import { createHash } from 'node:crypto';
import type { Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import type { Direction } from './bidi.ts';
import { type Face, type FaceSet, loadFaceSet } from './font-fallback.ts';
import { countDocument, shapeByBidiLevel } from './fonts.ts';
import { type Fragment, type Layout, layoutResume, type PageGeometry } from './layout.ts';
import { ModelBuilder, type ResumeModel } from './resume-model.ts';
import type { Letter, PageSize, Resume, TemplateId } from './resume-schema.ts';
import { TEMPLATES, type TemplateStyle } from './templates.ts';
import { CoverageReport } from './text-coverage.ts';
import { TextLayerGuard } from './text-layer.ts';

interface CommonInput {
  template: TemplateId;
  /** Keywords drawn bold where they occur in summaries, highlights and skills. */
  emphasize?: readonly string[];
  /** @defaultValue 'letter' */
  pageSize?: PageSize;
}

/** A resume, or a cover letter drawn with the same template. */
export type RenderInput =
  | (CommonInput & { resume: Resume; letter?: undefined })
  | (CommonInput & { letter: Letter; resume?: undefined });

/** The content model of either kind of document. */
export function buildModel(builder: ModelBuilder, input: RenderInput): ResumeModel {
  return input.letter ? builder.buildLetter(input.letter) : builder.build(input.resume);
}

export interface RenderResult {
  pdf: Uint8Array;
  pages: number;
  /** Hex SHA-256 of `pdf`, usable as a cache key and ETag. */
  sha256: string;
  /** Code points replaced by U+FFFD because no embedded font covers them, as `U+XXXX`. */
  uncovered: string[];
}

/** Page sizes in PDF points (1/72 in). */
const PAGE_SIZES: Record<PageSize, { width: number; height: number }> = {
  letter: { width: 612, height: 792 },
  a4: { width: 595.28, height: 841.89 },
};

/** The fixed date written as CreationDate and ModDate, so output does not depend on the clock. */
export const FIXED_PDF_DATE = new Date(Date.UTC(2000, 0, 1));

function metadata(
  model: ResumeModel,
  emphasize: readonly string[],
  kind: 'Resume' | 'Cover letter',
): Record<string, string | Date> {
  const keywords = [...new Set([...model.keywords, ...emphasize])].join(', ').slice(0, 2_000);
  return {
    Title: model.name ? `${model.name} — ${kind}` : kind,
    Author: model.name ?? '',
    Subject: model.label ?? kind,
    Keywords: keywords,
    Creator: 'resume-platform pdf service',
    Producer: 'PDFKit',
    CreationDate: FIXED_PDF_DATE,
    ModDate: FIXED_PDF_DATE,
  };
}

type PdfDoc = InstanceType<typeof PDFDocument>;

/**
 * One document's fonts: the faces it has used so far, each with the setter of
 * the direction it shapes in, and the guard of its text layer.
 */
interface DocumentFonts {
  faces: FaceSet;
  used: Map<string, (direction: Direction) => void>;
  textLayer: TextLayerGuard;
}

/**
 * Selects a face, shaping in `direction`, and registers it on first use. On a
 * face's first use in a document, the document's font object is made to shape
 * in the direction of each draw, with the thread's shared word-layout cache of
 * that direction (pdfkit keeps that cache per document), and gets the
 * text-layer guard; faces never used are never embedded.
 */
function useFace(doc: PdfDoc, state: DocumentFonts, face: Face, direction: Direction): PdfDoc {
  let shapeIn = state.used.get(face.key);
  if (!shapeIn) {
    // pdfkit accepts an already-parsed fontkit font; it is typed as a path or buffer only.
    doc.registerFont(face.key, face.font as unknown as Buffer);
    doc.font(face.key);
    const embedded = (doc as unknown as { _font: unknown })._font;
    shapeIn = shapeByBidiLevel(embedded, face.font);
    state.used.set(face.key, shapeIn);
    state.textLayer.guard(face.key, embedded);
  } else {
    doc.font(face.key);
  }
  shapeIn(direction);
  return doc;
}

/**
 * Draws one run of text; the text-layer guard is told first what it must
 * extract as. In a run whose shaping reorders or splits glyphs (Indic vowel
 * signs, Thai), each cluster's text is mapped on its first glyph.
 */
function drawText(
  doc: PdfDoc,
  state: DocumentFonts,
  fragment: Pick<Fragment, 'text' | 'face' | 'direction'>,
  x: number,
  y: number,
  options: { link?: string },
): void {
  const mode = fragment.face.shapesClusters ? 'reordered' : fragment.direction;
  state.textLayer.drawing(fragment.text, mode);
  if (mode !== 'reordered') {
    drawLine(doc, fragment.text, x, y, options);
    return;
  }
  // pdfkit draws inside `q … BT … ET Q`; the span must open and close inside the text
  // object, where the font and matrix are still set, or an extractor that replaces the
  // span's glyphs by its ActualText (poppler) places that text at size zero.
  const addContent = doc.addContent;
  doc.addContent = function (this: PdfDoc, data: string) {
    if (data === 'ET') this.endMarkedContent();
    addContent.call(this, data);
    if (data === 'BT') this.markContent('Span', { actual: fragment.text });
    return this;
  };
  try {
    drawLine(doc, fragment.text, x, y, options);
  } finally {
    doc.addContent = addContent;
  }
}

/** pdfkit's text drawing below `text()`: one line at a position, as `text()` draws it. */
interface PdfTextInternals {
  _fragment(text: string, x: number, y: number, options: Record<string, unknown>): void;
}

/**
 * Draws one line of text at (x, y) as `doc.text(text, x, y, {lineBreak: false,
 * link})` does, without `text()`'s measuring: its option merging and the advance
 * of `doc.x` past the text, which nothing here reads. Without a link the text's
 * width (used only for a link's box) is not measured either.
 */
function drawLine(
  doc: PdfDoc,
  text: string,
  x: number,
  y: number,
  options: { link?: string },
): void {
  if (text.includes('\n')) {
    // `text()` draws each line of it on the same baseline, one after the other.
    doc.text(text, x, y, { ...options, lineBreak: false });
    return;
  }
  doc.x = x;
  doc.y = y;
  (doc as unknown as PdfTextInternals)._fragment(
    text,
    x,
    y,
    options.link === undefined
      ? { lineBreak: false, textWidth: 0, wordCount: 0 }
      : { lineBreak: false, link: options.link },
  );
}

/** A font's vertical metrics at 1 pt: fontkit reads them from its tables on every access. */
interface FontMetrics {
  ascent: number;
  /** Ascent minus descent. */
  height: number;
}
const fontMetrics = new WeakMap<Font, FontMetrics>();

function metricsOf(font: Font): FontMetrics {
  let metrics = fontMetrics.get(font);
  if (!metrics) {
    metrics = {
      ascent: font.ascent / font.unitsPerEm,
      height: (font.ascent - font.descent) / font.unitsPerEm,
    };
    fontMetrics.set(font, metrics);
  }
  return metrics;
}

/** The parts of pdfkit's PDFReference (a page's content stream) that `batchContent` wraps. */
interface ContentStream {
  write(chunk: string | Uint8Array): void;
  end(chunk?: string | Uint8Array): void;
}

/**
 * pdfkit turns every operator written to a page into its own byte array and
 * joins them when the page ends. This collects a page's operators as text and
 * writes them as one array of the same bytes (each character's low byte, as
 * pdfkit converts them) before anything else is written or the page ends.
 */
function batchContent(doc: PdfDoc): void {
  const content = (doc as unknown as { page: { content: ContentStream } }).page.content;
  const write = content.write.bind(content);
  const end = content.end.bind(content);
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const bytes = Buffer.from(pending.join(''), 'latin1');
    pending = [];
    write(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  };
  content.write = (chunk) => {
    if (typeof chunk === 'string') {
      pending.push(chunk, '\n');
      return;
    }
    flush();
    write(chunk);
  };
  content.end = (chunk) => {
    if (chunk !== undefined) content.write(chunk);
    flush();
    end();
  };
}

function drawPages(
  doc: PdfDoc,
  layout: Layout,
  template: TemplateStyle,
  page: PageGeometry,
  state: DocumentFonts,
): void {
  const { faces } = state;
  const total = layout.pages.length;
  layout.pages.forEach((lines, index) => {
    doc.addPage({ size: [page.width, page.height], margin: 0 });
    batchContent(doc);
    // A page's content starts with the default fill colour: set it only when it changes.
    let fill: string | undefined;
    const fillColor = (color: string) => {
      if (color !== fill) doc.fillColor(color);
      fill = color;
    };
    for (const { line, y } of lines) {
      for (const fragment of line.fragments) {
        // Every face of a line shares the baseline of the style's own font.
        const own = metricsOf(faces.primaryFace(fragment.style).font);
        const baseline =
          y + (line.height - fragment.size * own.height) / 2 + fragment.size * own.ascent;
        const top = baseline - fragment.size * metricsOf(fragment.face.font).ascent;
        useFace(doc, state, fragment.face, fragment.direction).fontSize(fragment.size);
        fillColor(template.colors[fragment.tone]);
        drawText(doc, state, fragment, page.margin + fragment.x, top, { link: fragment.link });
      }
      if (line.rule) {
        const ruleY = y + line.height - 2.5;
        doc
          .moveTo(page.margin, ruleY)
          .lineTo(page.width - page.margin, ruleY)
          .lineWidth(0.6)
          .strokeColor(template.colors.muted)
          .stroke();
      }
    }
    if (total >= 2) {
      const label = `Page ${index + 1} of ${total}`;
      const size = template.footerSize;
      const face = faces.primaryFace('regular');
      const width = useFace(doc, state, face, 'ltr').fontSize(size).widthOfString(label);
      fillColor(template.colors.muted);
      drawText(
        doc,
        state,
        { text: label, face, direction: 'ltr' },
        (page.width - width) / 2,
        page.height - page.margin / 2 - size,
        {},
      );
    }
  });
}

/** Renders a validated resume to PDF bytes. */
export async function renderResume(input: RenderInput): Promise<RenderResult> {
  const template = TEMPLATES[input.template];
  const faces = loadFaceSet(template.fonts);
  const coverage = new CoverageReport(faces);
  const emphasize = input.emphasize ?? [];
  const model = buildModel(new ModelBuilder(coverage, emphasize), input);
  const page: PageGeometry = { ...PAGE_SIZES[input.pageSize ?? 'letter'], margin: template.margin };
  const layout = layoutResume(model, faces, template, page);

  countDocument();
  const doc = new PDFDocument({
    // No default font: pdfkit would otherwise parse Helvetica's AFM metrics for every document.
    font: null as unknown as string,
    autoFirstPage: false,
    compress: true,
    displayTitle: true,
    info: metadata(
      model,
      emphasize.map((k) => coverage.clean(k)),
      input.letter ? 'Cover letter' : 'Resume',
    ) as PDFKit.DocumentInfo,
  });
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const state: DocumentFonts = { faces, used: new Map(), textLayer: new TextLayerGuard() };
  drawPages(doc, layout, template, page, state);
  doc.end();
  await done;
  const pdf = Buffer.concat(chunks);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  // Before the bytes leave: every glyph must extract as the text it was drawn for.
  state.textLayer.verify(sha256);
  return {
    pdf: new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength),
    pages: layout.pages.length,
    sha256,
    uncovered: coverage.labels(),
  };
}
