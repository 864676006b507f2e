/**
 * `renderDocx`: the resume model as a Word document (the `docx` package), in
 * the look of the PDF templates: the same facts in the same order, the same
 * typefaces by name, sizes, spacing and colours. Word lays the text out itself,
 * so pagination is approximated with keep-with-next rather than measured.
 *
 * Output is deterministic. `docx` would stamp the wall clock into the core
 * properties and the zip entries, and give each hyperlink a random
 * relationship id: here links are numbered in document order, the core
 * properties are written with a fixed date, and {@link pinZipTimes} fixes the
 * entries' times, so the same input gives the same bytes.
 */
import {
  AlignmentType,
  BorderStyle,
  ConcreteHyperlink,
  Document,
  type IRunOptions,
  LineRuleType,
  Packer,
  Paragraph,
  type ParagraphChild,
  TextRun,
} from 'docx';
import { hasRightToLeft, paragraphDirection } from './bidi.ts';
import type { Paragraph as ModelParagraph, ResumeModel, Run, Tone } from './resume-model.ts';
import type { PageSize } from './resume-schema.ts';
import type { TemplateStyle } from './templates.ts';

/** Page sizes in twentieths of a point (twips). */
const PAGE_TWIPS: Record<PageSize, { width: number; height: number }> = {
  letter: { width: 12_240, height: 15_840 },
  a4: { width: 11_906, height: 16_838 },
};

/** Written as the documents' created and modified dates and as every zip entry's time. */
export const FIXED_DOCX_DATE = new Date(Date.UTC(2000, 0, 1));

const twips = (points: number): number => Math.round(points * 20);
const halfPoints = (points: number): number => Math.round(points * 2);
const hex = (color: string): string => color.replace(/^#/, '').toUpperCase();

/**
 * Fonts Word should pick for a run beyond Latin, Greek and Cyrillic: the Noto
 * families the PDF falls back to, so both look alike where they are installed.
 * Complex scripts (`cs`) by script; East Asian by language as in the PDF:
 * kana → Japanese, Hangul → Korean, otherwise Simplified Chinese forms.
 */
const COMPLEX_SCRIPT_FONTS: readonly [RegExp, string][] = [
  [/\p{Script=Arabic}/u, 'Noto Sans Arabic'],
  [/\p{Script=Hebrew}/u, 'Noto Sans Hebrew'],
  [/\p{Script=Devanagari}/u, 'Noto Sans Devanagari'],
  [/\p{Script=Bengali}/u, 'Noto Sans Bengali'],
  [/\p{Script=Tamil}/u, 'Noto Sans Tamil'],
  [/\p{Script=Thai}/u, 'Noto Sans Thai'],
];
const EAST_ASIAN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const BEYOND_LATIN = /[^\t\u0020-\u024f\u2000-\u206f]/u;

function eastAsianFont(text: string): string {
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return 'Noto Sans CJK JP';
  if (/\p{Script=Hangul}/u.test(text)) return 'Noto Sans CJK KR';
  return 'Noto Sans CJK SC';
}

/** Strong right-to-left text with the spaces, digits and punctuation between its words. */
const RTL_STRETCH =
  /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}](?:[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Common}\p{Script=Inherited}]*[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{M}])?/gu;

/** Cuts text into stretches that are right to left or not, so only the former are marked `rtl`. */
function directionRuns(text: string): { text: string; rtl: boolean }[] {
  if (!hasRightToLeft(text)) return [{ text, rtl: false }];
  const pieces: { text: string; rtl: boolean }[] = [];
  let last = 0;
  for (const match of text.matchAll(RTL_STRETCH)) {
    const index = match.index ?? 0;
    if (index > last) pieces.push({ text: text.slice(last, index), rtl: false });
    pieces.push({ text: match[0], rtl: true });
    last = index + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), rtl: false });
  return pieces;
}

interface RunLook {
  size: number;
  bold?: boolean;
  italic?: boolean;
  color: string;
  allCaps?: boolean;
}

function textRuns(text: string, look: RunLook, family: string): TextRun[] {
  return directionRuns(text).map((piece) => {
    const options: {
      -readonly [K in keyof IRunOptions]: IRunOptions[K];
    } = {
      text: piece.text,
      size: halfPoints(look.size),
      sizeComplexScript: halfPoints(look.size),
      color: look.color,
    };
    if (look.bold) Object.assign(options, { bold: true, boldComplexScript: true });
    if (look.italic) Object.assign(options, { italics: true, italicsComplexScript: true });
    if (look.allCaps) options.allCaps = true;
    if (piece.rtl) options.rightToLeft = true;
    if (BEYOND_LATIN.test(piece.text)) {
      const complex = COMPLEX_SCRIPT_FONTS.find(([script]) => script.test(piece.text))?.[1];
      options.font = {
        ascii: family,
        hAnsi: family,
        eastAsia: EAST_ASIAN.test(piece.text) ? eastAsianFont(piece.text) : 'Noto Sans CJK SC',
        cs: complex ?? family,
      };
    }
    return new TextRun(options);
  });
}

interface ParagraphLook {
  size: number;
  /** Line height as a multiple of the font size. */
  leading: number;
  before: number;
  after?: number;
  indent?: number;
  center?: boolean;
  bullet?: boolean;
  rule?: boolean;
  keepNext?: boolean;
}

/** What a paragraph gives all its runs unless a run says otherwise. */
interface RunBase {
  bold?: boolean;
  italic?: boolean;
  tone?: Tone;
  allCaps?: boolean;
}

const HYPERLINK_RELATIONSHIP =
  'http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink';

class DocxBuilder {
  /** Link targets in document order; link n has the relationship id `rIdLink{n}`. */
  readonly links: string[] = [];

  constructor(private readonly template: TemplateStyle) {}

  /**
   * A hyperlink with a relationship id of our own: `ExternalHyperlink` would
   * draw a random one per render. `ConcreteHyperlink` is what it becomes when
   * written; docx's `ParagraphChild` type does not list it.
   */
  private link(target: string, children: TextRun[]): ParagraphChild {
    this.links.push(target);
    return new ConcreteHyperlink(children, `Link${this.links.length}`) as unknown as ParagraphChild;
  }

  private runs(runs: readonly Run[], size: number, base: RunBase): ParagraphChild[] {
    const { colors, family } = this.template;
    return runs.flatMap<ParagraphChild>((run) => {
      const look: RunLook = {
        size,
        bold: run.bold ?? base.bold,
        italic: run.italic ?? base.italic,
        color: hex(colors[run.tone ?? base.tone ?? 'text']),
        allCaps: base.allCaps,
      };
      const children = textRuns(run.text, look, family);
      return run.link ? [this.link(run.link, children)] : children;
    });
  }

  paragraph(runs: readonly Run[], look: ParagraphLook, runBase: RunBase = {}): Paragraph {
    const text = runs.map((run) => run.text).join('');
    const rtl = paragraphDirection(text) === 'rtl';
    const bulletIndent = look.bullet ? Math.max(look.indent ?? 0, look.size) : 0;
    const children: ParagraphChild[] = [];
    if (look.bullet) {
      const muted = hex(this.template.colors.muted);
      children.push(...textRuns('•\t', { size: look.size, color: muted }, this.template.family));
    }
    children.push(...this.runs(runs, look.size, runBase));
    return new Paragraph({
      children,
      // A right-to-left paragraph starts on the right, as in the PDF; centred stays centred.
      ...(rtl ? { bidirectional: true } : {}),
      ...(look.center ? { alignment: AlignmentType.CENTER } : {}),
      spacing: {
        before: twips(look.before),
        after: twips(look.after ?? 0),
        line: twips(look.size * look.leading),
        lineRule: LineRuleType.AT_LEAST,
      },
      ...(look.bullet
        ? { indent: { start: twips(bulletIndent), hanging: twips(bulletIndent) } }
        : look.indent
          ? { indent: { start: twips(look.indent) } }
          : {}),
      ...(look.rule
        ? {
            border: {
              bottom: {
                style: BorderStyle.SINGLE,
                size: 5,
                space: 1,
                color: hex(this.template.colors.muted),
              },
            },
          }
        : {}),
      keepLines: true,
      ...(look.keepNext ? { keepNext: true } : {}),
    });
  }

  header(model: ResumeModel): Paragraph[] {
    const { name, label, contact } = this.template;
    const center = name.align === 'center';
    const out: Paragraph[] = [];
    if (model.name) {
      out.push(
        this.paragraph([{ text: model.name, bold: true }], {
          size: name.size,
          leading: 1.25,
          before: 0,
          center,
        }),
      );
    }
    if (model.label) {
      out.push(
        this.paragraph([{ text: model.label, tone: 'muted' }], {
          size: label.size,
          leading: 1.25,
          before: 1,
          center,
        }),
      );
    }
    if (model.contact.length > 0) {
      out.push(
        this.paragraph(model.contact, { size: contact.size, leading: 1.4, before: 3, center }),
      );
    }
    return out;
  }

  sections(model: ResumeModel): Paragraph[] {
    const { heading, paragraphs, entryGap } = this.template;
    return model.sections.flatMap((section) => [
      // A letter's one section has no heading.
      ...(section.heading === ''
        ? []
        : [
            this.paragraph(
              [{ text: section.heading }],
              {
                size: heading.size,
                leading: 1.3,
                before: heading.spaceBefore,
                after: heading.spaceAfter,
                rule: heading.rule,
                keepNext: true,
              },
              { bold: true, tone: heading.tone, allCaps: heading.uppercase },
            ),
          ]),
      ...section.entries.flatMap((entry, entryIndex) =>
        entry.paragraphs.map((paragraph: ModelParagraph, index) => {
          const style = paragraphs[paragraph.role];
          const gap = entryIndex === 0 ? 0 : section.dense ? 2 : entryGap;
          return this.paragraph(paragraph.runs, {
            size: style.size,
            leading: style.leading,
            before: index === 0 ? gap : style.spaceBefore,
            indent: style.indent,
            bullet: paragraph.role === 'bullet',
            // An entry that fits on a page is kept on one page, as in the PDF.
            keepNext: index < entry.paragraphs.length - 1,
          });
        }),
      ),
    ]);
  }
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};
const escapeXml = (text: string): string => text.replace(/[&<>"]/g, (c) => XML_ESCAPES[c] ?? c);

/** `docProps/core.xml` with fixed dates (`docx` would write the time of the render). */
function coreProperties(properties: Record<'title' | 'subject' | 'creator' | 'keywords', string>) {
  const date = FIXED_DOCX_DATE.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const dc = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"',
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"',
    ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    dc('dc:title', properties.title),
    dc('dc:subject', properties.subject),
    dc('dc:creator', properties.creator),
    dc('cp:keywords', properties.keywords),
    dc('dc:description', 'resume-platform pdf service'),
    dc('cp:lastModifiedBy', properties.creator),
    '<cp:revision>1</cp:revision>',
    `<dcterms:created xsi:type="dcterms:W3CDTF">${date}</dcterms:created>`,
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${date}</dcterms:modified>`,
    '</cp:coreProperties>',
  ].join('');
}

/**
 * Sets every entry's time in a zip file to {@link FIXED_DOCX_DATE}, in place:
 * the DOS time and date of each local header and central directory entry.
 * No checksum covers them, so nothing is recompressed.
 */
export function pinZipTimes(zip: Uint8Array): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const date = FIXED_DOCX_DATE;
  const dosDate =
    ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate();
  let end = zip.byteLength - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error('not a zip file: no end of central directory');
  const entries = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  for (let i = 0; i < entries; i += 1) {
    if (view.getUint32(offset, true) !== 0x02014b50) throw new Error('bad central directory');
    view.setUint16(offset + 12, 0, true);
    view.setUint16(offset + 14, dosDate, true);
    const local = view.getUint32(offset + 42, true);
    if (view.getUint32(local, true) !== 0x04034b50) throw new Error('bad local file header');
    view.setUint16(local + 10, 0, true);
    view.setUint16(local + 12, dosDate, true);
    offset +=
      46 +
      view.getUint16(offset + 28, true) +
      view.getUint16(offset + 30, true) +
      view.getUint16(offset + 32, true);
  }
  return zip;
}

export interface DocxOptions {
  template: TemplateStyle;
  /** @defaultValue 'letter' */
  pageSize?: PageSize;
  /** Extra keywords for the document properties, beside the model's skills. */
  keywords?: readonly string[];
}

/** Renders the resume model to DOCX bytes. */
export async function renderDocx(model: ResumeModel, options: DocxOptions): Promise<Uint8Array> {
  const { template } = options;
  const builder = new DocxBuilder(template);
  const page = PAGE_TWIPS[options.pageSize ?? 'letter'];
  const margin = twips(template.margin);
  const doc = new Document({
    styles: {
      default: {
        document: {
          run: {
            font: {
              ascii: template.family,
              hAnsi: template.family,
              eastAsia: 'Noto Sans CJK SC',
              cs: template.family,
            },
            size: halfPoints(template.paragraphs.body.size),
            color: hex(template.colors.text),
          },
        },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: page,
            margin: { top: margin, right: margin, bottom: margin, left: margin },
          },
        },
        children: [...builder.header(model), ...builder.sections(model)],
      },
    ],
  });
  builder.links.forEach((target, index) => {
    doc.Document.Relationships.addRelationship(
      `Link${index + 1}`,
      HYPERLINK_RELATIONSHIP,
      target,
      'External',
    );
  });
  const core = coreProperties({
    title: model.name ? `${model.name} — Resume` : 'Resume',
    subject: model.label ?? 'Resume',
    creator: model.name ?? '',
    keywords: [...new Set([...model.keywords, ...(options.keywords ?? [])])]
      .join(', ')
      .slice(0, 2_000),
  });
  const zip = await Packer.toBuffer(doc, false, [{ path: 'docProps/core.xml', data: core }]);
  return pinZipTimes(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength));
}
