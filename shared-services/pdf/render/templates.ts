/**
 * The three templates. All are one column with a single reading order and
 * standard headings, so ATS parsers read them the same way; they differ in
 * typeface, sizes, spacing and colour only.
 */
import type { FontFiles } from './fonts.ts';
import type { ParagraphRole, Tone } from './resume-model.ts';
import type { TemplateId } from './resume-schema.ts';

export interface ParagraphStyle {
  size: number;
  /** Line height as a multiple of the font size. */
  leading: number;
  /** Space above the paragraph when it is not the first of its entry. */
  spaceBefore: number;
  indent: number;
}

export interface TemplateStyle {
  id: TemplateId;
  description: string;
  fonts: FontFiles;
  /** The family name of `fonts`, as word processors know it (DOCX names it on every run). */
  family: string;
  margin: number;
  colors: Record<Tone, string>;
  name: { size: number; align: 'left' | 'center' };
  label: { size: number };
  contact: { size: number };
  heading: {
    size: number;
    uppercase: boolean;
    rule: boolean;
    tone: Tone;
    spaceBefore: number;
    spaceAfter: number;
  };
  paragraphs: Record<ParagraphRole, ParagraphStyle>;
  /** Space between entries of one section. */
  entryGap: number;
  footerSize: number;
}

const classic: TemplateStyle = {
  id: 'classic',
  description: 'Serif (DejaVu Serif), centred name, ruled section headings; a traditional look.',
  fonts: {
    regular: 'DejaVuSerif.ttf',
    bold: 'DejaVuSerif-Bold.ttf',
    italic: 'DejaVuSerif-Italic.ttf',
  },
  family: 'DejaVu Serif',
  margin: 54,
  colors: { text: '#111111', muted: '#444444', accent: '#111111' },
  name: { size: 22, align: 'center' },
  label: { size: 11.5 },
  contact: { size: 9 },
  heading: {
    size: 11.5,
    uppercase: true,
    rule: true,
    tone: 'accent',
    spaceBefore: 14,
    spaceAfter: 6,
  },
  paragraphs: {
    title: { size: 10.5, leading: 1.3, spaceBefore: 0, indent: 0 },
    meta: { size: 9, leading: 1.3, spaceBefore: 0, indent: 0 },
    body: { size: 10, leading: 1.35, spaceBefore: 2, indent: 0 },
    bullet: { size: 10, leading: 1.35, spaceBefore: 1, indent: 14 },
  },
  entryGap: 8,
  footerSize: 8,
};

const modern: TemplateStyle = {
  id: 'modern',
  description:
    'Sans-serif (DejaVu Sans), left-aligned header, coloured headings; clean and contemporary.',
  fonts: {
    regular: 'DejaVuSans.ttf',
    bold: 'DejaVuSans-Bold.ttf',
    italic: 'DejaVuSans-Oblique.ttf',
  },
  family: 'DejaVu Sans',
  margin: 50,
  colors: { text: '#1a1a1a', muted: '#555555', accent: '#1f5fa8' },
  name: { size: 24, align: 'left' },
  label: { size: 12 },
  contact: { size: 9 },
  heading: {
    size: 12,
    uppercase: false,
    rule: false,
    tone: 'accent',
    spaceBefore: 14,
    spaceAfter: 5,
  },
  paragraphs: {
    title: { size: 10.5, leading: 1.3, spaceBefore: 0, indent: 0 },
    meta: { size: 8.5, leading: 1.35, spaceBefore: 0, indent: 0 },
    body: { size: 9.5, leading: 1.4, spaceBefore: 2, indent: 0 },
    bullet: { size: 9.5, leading: 1.4, spaceBefore: 1, indent: 14 },
  },
  entryGap: 9,
  footerSize: 8,
};

const compact: TemplateStyle = {
  id: 'compact',
  description:
    'Condensed sans-serif (DejaVu Sans Condensed), small type, tight spacing; fits the most on a page.',
  fonts: {
    regular: 'DejaVuSansCondensed.ttf',
    bold: 'DejaVuSansCondensed-Bold.ttf',
    italic: 'DejaVuSansCondensed-Oblique.ttf',
  },
  family: 'DejaVu Sans Condensed',
  margin: 36,
  colors: { text: '#111111', muted: '#505050', accent: '#111111' },
  name: { size: 18, align: 'left' },
  label: { size: 10 },
  contact: { size: 8 },
  heading: {
    size: 9.5,
    uppercase: true,
    rule: true,
    tone: 'accent',
    spaceBefore: 9,
    spaceAfter: 4,
  },
  paragraphs: {
    title: { size: 9, leading: 1.25, spaceBefore: 0, indent: 0 },
    meta: { size: 8, leading: 1.25, spaceBefore: 0, indent: 0 },
    body: { size: 8.5, leading: 1.3, spaceBefore: 1, indent: 0 },
    bullet: { size: 8.5, leading: 1.3, spaceBefore: 0, indent: 10 },
  },
  entryGap: 5,
  footerSize: 7,
};

export const TEMPLATES: Record<TemplateId, TemplateStyle> = { classic, modern, compact };

/** Template list for `GET /v1/templates`. */
export function listTemplates(): { id: TemplateId; description: string }[] {
  return Object.values(TEMPLATES).map(({ id, description }) => ({ id, description }));
}
