/**
 * The layout engine: breaks paragraphs into lines with the real font metrics,
 * then paginates whole lines. Rules: a line is never split; an entry that fits
 * on a page is never split across pages; a heading stays with (at least the
 * start of) its first entry; an entry taller than a page carries over line by
 * line. Everything is measured before anything is drawn, so the page count is
 * known up front and "Page N of M" needs no second pass.
 */
import { type Direction, hasRightToLeft, paragraphDirection, visualOrder } from './bidi.ts';
import type { Face, FaceSet } from './font-fallback.ts';
import { type FontStyle, unitWidth } from './fonts.ts';
import type { Entry, Paragraph, ResumeModel, Run, Tone } from './resume-model.ts';
import type { ParagraphStyle, TemplateStyle } from './templates.ts';

export interface Fragment {
  text: string;
  /** Offset from the left content edge. */
  x: number;
  width: number;
  style: FontStyle;
  /** The font that draws it: the style's own, or a fallback for its script. */
  face: Face;
  /** `rtl` when the text is right to left: its glyphs are drawn right to left. */
  direction: Direction;
  size: number;
  tone: Tone;
  link?: string;
}

export interface Line {
  height: number;
  /** Space above the line, dropped when the line opens a page. */
  spaceBefore: number;
  fragments: Fragment[];
  /** Draw a horizontal rule under the line (section headings). */
  rule?: boolean;
}

type BlockKind = 'header' | 'heading' | 'entry';

interface Block {
  kind: BlockKind;
  lines: Line[];
}

export interface PlacedLine {
  line: Line;
  /** Top of the line box, in points from the top of the page. */
  y: number;
}

export interface PageGeometry {
  width: number;
  height: number;
  margin: number;
}

export interface Layout {
  pages: PlacedLine[][];
}

const BULLET = '•';

/** Width of `text` at 1 pt in `style`, each run in the face that draws it. */
function measureText(faces: FaceSet, text: string, style: FontStyle): number {
  return faces.widthOf(text, style);
}

/** Scripts written without spaces between words: lines break between the words Intl.Segmenter finds. */
const NO_SPACES =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
/** Closing punctuation never starts a line (UAX #14 classes CL, CP, IS, EX and CJK full stops). */
const CLOSING = /^[\p{Pe}\p{Pf}、。，．：；！？ー々〜…‥・）」』】〕〉》〙〗｝]/u;
const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });

/** Splits a run of text without spaces into the pieces a line may break between. */
function breakableParts(text: string): string[] {
  if (!NO_SPACES.test(text)) return [text];
  const parts: string[] = [];
  for (const { segment } of wordSegmenter.segment(text)) {
    const last = parts.length - 1;
    if (last >= 0 && CLOSING.test(segment)) parts[last] += segment;
    else parts.push(segment);
  }
  return parts;
}

function styleOf(run: Run): FontStyle {
  if (run.bold) return 'bold';
  return run.italic ? 'italic' : 'regular';
}

interface Segment {
  text: string;
  run: Run;
  width: number;
}

/**
 * Greedy line breaking at spaces and, in scripts without spaces, between
 * words; a word wider than the line is broken between characters.
 */
export function breakRuns(
  runs: readonly Run[],
  faces: FaceSet,
  size: number,
  available: number,
): Segment[][] {
  const measure = (text: string, run: Run) => measureText(faces, text, styleOf(run)) * size;
  // Words are maximal non-space sequences, possibly spanning runs ("Node.js" bold + "," plain).
  const words: { segments: Segment[]; width: number; spaceBefore: Segment[] }[] = [];
  let spaces: Segment[] = [];
  let current: { segments: Segment[]; width: number; spaceBefore: Segment[] } | undefined;
  for (const run of runs) {
    for (const piece of run.text.split(/( +)/)) {
      if (piece === '') continue;
      if (piece.startsWith(' ')) {
        current = undefined;
        spaces.push({ text: piece, run, width: measure(piece, run) });
        continue;
      }
      breakableParts(piece).forEach((part, index) => {
        // A break opportunity without a space: the next part is a word of its own.
        if (index > 0) current = undefined;
        const segment = { text: part, run, width: measure(part, run) };
        if (!current) {
          current = { segments: [], width: 0, spaceBefore: spaces };
          spaces = [];
          words.push(current);
        }
        current.segments.push(segment);
        current.width += segment.width;
      });
    }
  }

  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let lineWidth = 0;
  for (const word of words) {
    const spaceWidth = line.length > 0 ? word.spaceBefore.reduce((sum, s) => sum + s.width, 0) : 0;
    if (line.length > 0 && lineWidth + spaceWidth + word.width > available) {
      lines.push(line);
      line = [];
      lineWidth = 0;
    }
    if (line.length === 0 && word.width > available) {
      for (const segment of word.segments) {
        let chunk = '';
        for (const char of segment.text) {
          const next = chunk + char;
          if (chunk !== '' && lineWidth + measure(next, segment.run) > available) {
            line.push({ text: chunk, run: segment.run, width: measure(chunk, segment.run) });
            lines.push(line);
            line = [];
            lineWidth = 0;
            chunk = char;
          } else {
            chunk = next;
          }
        }
        if (chunk !== '') {
          const width = measure(chunk, segment.run);
          line.push({ text: chunk, run: segment.run, width });
          lineWidth += width;
        }
      }
      continue;
    }
    const hadContent = line.length > 0;
    if (hadContent) line.push(...word.spaceBefore);
    line.push(...word.segments);
    lineWidth += (hadContent ? spaceWidth : 0) + word.width;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

function sameStyle(a: Run, b: Run): boolean {
  return (
    styleOf(a) === styleOf(b) && (a.tone ?? 'text') === (b.tone ?? 'text') && a.link === b.link
  );
}

/** Merges same-style segments into fragments of one face, in logical order, and positions them. */
function toFragments(
  segments: readonly Segment[],
  faces: FaceSet,
  size: number,
  x0: number,
): Fragment[] {
  const fragments: Fragment[] = [];
  let x = x0;
  let group: Segment[] = [];
  const flush = () => {
    const first = group[0];
    if (!first) return;
    const style = styleOf(first.run);
    for (const run of faces.itemize(group.map((s) => s.text).join(''), style)) {
      const width = unitWidth(run.face.font, run.text) * size;
      fragments.push({
        text: run.text,
        x,
        width,
        style,
        face: run.face,
        direction: 'ltr',
        size,
        tone: first.run.tone ?? 'text',
        link: first.run.link,
      });
      x += width;
    }
    group = [];
  };
  for (const segment of segments) {
    const first = group[0];
    if (first && !sameStyle(first.run, segment.run)) flush();
    group.push(segment);
  }
  flush();
  return fragments;
}

function lastLineTrimmed(segments: Segment[][]): Segment[][] {
  return segments.map((line) => {
    const trimmed = [...line];
    while (trimmed.length > 0 && trimmed[trimmed.length - 1]?.text.trim() === '') trimmed.pop();
    return trimmed;
  });
}

interface ParagraphLinesOptions {
  style: ParagraphStyle;
  width: number;
  align?: 'left' | 'center';
  bullet?: boolean;
  spaceBefore: number;
  /** The document's direction: in a right-to-left resume every line is right-aligned. */
  flow: Direction;
}

/**
 * Puts a line's fragments in visual order (UAX #9) and positions them from
 * `x0`: each right-to-left word becomes a fragment of its own.
 */
function reorderLine(fragments: readonly Fragment[], direction: Direction, x0: number): Fragment[] {
  let x = x0;
  return visualOrder(
    fragments.map((fragment) => ({ text: fragment.text, item: fragment })),
    direction,
  ).map(({ text, level, item }) => {
    const width = text === item.text ? item.width : unitWidth(item.face.font, text) * item.size;
    const fragment: Fragment = {
      ...item,
      text,
      x,
      width,
      direction: level % 2 === 1 ? 'rtl' : 'ltr',
    };
    x += width;
    return fragment;
  });
}

function paragraphLines(
  runs: readonly Run[],
  faces: FaceSet,
  options: ParagraphLinesOptions,
): Line[] {
  const { style, width } = options;
  const available = width - style.indent;
  const text = runs.map((run) => run.text).join('');
  const direction = paragraphDirection(text);
  // A right-to-left paragraph, or any line of a right-to-left resume (headings, dates), is
  // right-aligned with its indent on the right, so the page reads as one column.
  const side = direction === 'rtl' || options.flow === 'rtl' ? 'right' : 'left';
  const broken = lastLineTrimmed(breakRuns(runs, faces, style.size, available));
  return broken.map((segments, index) => {
    const lineWidth = segments.reduce((sum, s) => sum + s.width, 0);
    // A right-to-left paragraph is right-aligned, its indent on the right.
    const x0 =
      options.align === 'center'
        ? Math.max(0, (width - lineWidth) / 2)
        : side === 'right'
          ? Math.max(0, width - style.indent - lineWidth)
          : style.indent;
    let fragments = toFragments(segments, faces, style.size, x0);
    if (hasRightToLeft(text)) fragments = reorderLine(fragments, direction, x0);
    if (options.bullet && index === 0) {
      const bullet = faces.primaryFace('regular');
      const bulletWidth = unitWidth(bullet.font, BULLET) * style.size;
      const gap = style.size * 0.45;
      fragments.unshift({
        text: `${BULLET} `,
        x:
          side === 'right'
            ? width - style.indent + gap
            : Math.max(0, style.indent - bulletWidth - gap),
        width: bulletWidth,
        style: 'regular',
        face: bullet,
        direction: 'ltr',
        size: style.size,
        tone: 'muted',
      });
    }
    return {
      height: style.size * style.leading,
      spaceBefore: index === 0 ? options.spaceBefore : 0,
      fragments,
    };
  });
}

function entryLines(
  entry: Entry,
  faces: FaceSet,
  template: TemplateStyle,
  width: number,
  gap: number,
  flow: Direction,
): Line[] {
  return entry.paragraphs.flatMap((paragraph: Paragraph, index) => {
    const style = template.paragraphs[paragraph.role];
    return paragraphLines(paragraph.runs, faces, {
      style,
      width,
      bullet: paragraph.role === 'bullet',
      spaceBefore: index === 0 ? gap : style.spaceBefore,
      flow,
    });
  });
}

function headerBlock(
  model: ResumeModel,
  faces: FaceSet,
  template: TemplateStyle,
  width: number,
  flow: Direction,
): Block {
  const align = template.name.align;
  const lines: Line[] = [];
  const plain = (size: number): ParagraphStyle => ({
    size,
    leading: 1.25,
    spaceBefore: 0,
    indent: 0,
  });
  if (model.name) {
    lines.push(
      ...paragraphLines([{ text: model.name, bold: true }], faces, {
        style: plain(template.name.size),
        width,
        align,
        spaceBefore: 0,
        flow,
      }),
    );
  }
  if (model.label) {
    lines.push(
      ...paragraphLines([{ text: model.label, tone: 'muted' }], faces, {
        style: plain(template.label.size),
        width,
        align,
        spaceBefore: 1,
        flow,
      }),
    );
  }
  if (model.contact.length > 0) {
    lines.push(
      ...paragraphLines(model.contact, faces, {
        style: { ...plain(template.contact.size), leading: 1.4 },
        width,
        align,
        spaceBefore: 3,
        flow,
      }),
    );
  }
  return { kind: 'header', lines };
}

function headingLine(
  heading: string,
  faces: FaceSet,
  template: TemplateStyle,
  width: number,
  flow: Direction,
): Line {
  const { heading: style } = template;
  const text = style.uppercase ? heading.toUpperCase() : heading;
  const [line] = paragraphLines([{ text, bold: true, tone: style.tone }], faces, {
    style: { size: style.size, leading: 1.3, spaceBefore: 0, indent: 0 },
    width,
    spaceBefore: style.spaceBefore,
    flow,
  });
  if (!line) throw new Error('heading produced no line');
  return { ...line, height: line.height + style.spaceAfter, rule: style.rule };
}

/**
 * A resume's direction: that of its name, label and first section's first
 * entry together (their first strong character, UAX #9 rules P2–P3).
 */
function documentDirection(model: ResumeModel): Direction {
  const first = model.sections[0]?.entries[0]?.paragraphs ?? [];
  const text = [
    model.name ?? '',
    model.label ?? '',
    ...first.map((paragraph) => paragraph.runs.map((run) => run.text).join('')),
  ]
    .filter((part) => part.trim() !== '')
    .join('\n');
  return paragraphDirection(text);
}

/** Height of `lines` placed from `atTop` (a page top drops the first space). */
function heightOf(lines: readonly Line[], atTop: boolean): number {
  return lines.reduce(
    (sum, line, index) => sum + line.height + (index === 0 && atTop ? 0 : line.spaceBefore),
    0,
  );
}

/** Lays the model out into pages of placed lines. */
export function layoutResume(
  model: ResumeModel,
  faces: FaceSet,
  template: TemplateStyle,
  page: PageGeometry,
): Layout {
  const width = page.width - 2 * page.margin;
  const top = page.margin;
  const bottom = page.height - page.margin;
  const pageHeight = bottom - top;

  const flow = documentDirection(model);
  const blocks: Block[] = [];
  const header = headerBlock(model, faces, template, width, flow);
  if (header.lines.length > 0) blocks.push(header);
  for (const section of model.sections) {
    // A letter's one section has no heading.
    if (section.heading !== '') {
      blocks.push({
        kind: 'heading',
        lines: [headingLine(section.heading, faces, template, width, flow)],
      });
    }
    section.entries.forEach((entry, index) => {
      const gap = index === 0 ? 0 : section.dense ? 2 : template.entryGap;
      blocks.push({ kind: 'entry', lines: entryLines(entry, faces, template, width, gap, flow) });
    });
  }

  const pages: PlacedLine[][] = [[]];
  let y = top;
  let atTop = true;
  const newPage = () => {
    pages.push([]);
    y = top;
    atTop = true;
  };
  const place = (line: Line) => {
    if (!atTop) y += line.spaceBefore;
    pages[pages.length - 1]?.push({ line, y });
    y += line.height;
    atTop = false;
  };
  /** The part of a block that must not be separated from what precedes it. */
  const keepHeight = (block: Block | undefined, fromTop: boolean): number => {
    if (!block) return 0;
    const whole = heightOf(block.lines, fromTop);
    // A block taller than a page can only be kept by its first two lines.
    return whole <= pageHeight ? whole : heightOf(block.lines.slice(0, 2), fromTop);
  };

  blocks.forEach((block, index) => {
    let need = keepHeight(block, atTop);
    if (block.kind === 'heading') need += keepHeight(blocks[index + 1], false);
    if (!atTop && y + need > bottom) newPage();
    for (const line of block.lines) {
      const lineHeight = line.height + (atTop ? 0 : line.spaceBefore);
      if (!atTop && y + lineHeight > bottom) newPage();
      place(line);
    }
  });
  return { pages };
}
