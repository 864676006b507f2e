/**
 * Turns a JSON Resume document into a template-independent content model:
 * a header and an ordered list of sections, each a list of entries made of
 * styled paragraphs. Empty fields and empty sections are left out here, so the
 * layout never draws a heading without content.
 */

import { formatDate, formatDateRange } from './dates.ts';
import type { Letter, Resume } from './resume-schema.ts';
import type { TextCleaner } from './text-coverage.ts';

export type Tone = 'text' | 'muted' | 'accent';

export interface Run {
  text: string;
  bold?: boolean;
  italic?: boolean;
  tone?: Tone;
  link?: string;
}

/** Paragraph roles; each template gives every role a size, spacing and indent. */
export type ParagraphRole = 'title' | 'meta' | 'body' | 'bullet';

export interface Paragraph {
  role: ParagraphRole;
  runs: Run[];
}

export interface Entry {
  paragraphs: Paragraph[];
}

export interface Section {
  heading: string;
  entries: Entry[];
  /** One-line entries (skills, languages…) that sit closer together. */
  dense?: boolean;
}

export interface ResumeModel {
  name?: string;
  label?: string;
  contact: Run[];
  sections: Section[];
  keywords: string[];
}

type Maybe = string | null | undefined;
const SEPARATOR = '  ·  ';

function present(value: Maybe): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function joinPresent(values: Maybe[], separator: string): string | undefined {
  const kept = values.filter(present).map((v) => v.trim());
  return kept.length > 0 ? kept.join(separator) : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The name in the oldest JSON Resume drafts (v0.0.x before `basics`):
 * `bio.firstName` and `bio.lastName`.
 */
function legacyName(resume: Resume): string | undefined {
  const bio = (resume as { bio?: unknown }).bio;
  if (typeof bio !== 'object' || bio === null) return undefined;
  const { firstName, lastName } = bio as { firstName?: unknown; lastName?: unknown };
  const parts = [firstName, lastName].filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '',
  );
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** Builds the model; all text goes through `coverage.clean` and emphasis splitting. */
export class ModelBuilder {
  private readonly emphasis?: RegExp;

  constructor(
    private readonly coverage: TextCleaner,
    emphasize: readonly string[] = [],
  ) {
    const keywords = [...new Set(emphasize.map((k) => k.normalize('NFC').trim()).filter(Boolean))]
      // Longest first so "Node.js" wins over "Node".
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp);
    if (keywords.length > 0) {
      this.emphasis = new RegExp(
        `(?<![\\p{L}\\p{N}])(?:${keywords.join('|')})(?![\\p{L}\\p{N}])`,
        'giu',
      );
    }
  }

  private clean(value: string): string {
    return this.coverage.clean(value.trim().replace(/\s+/g, ' '));
  }

  /** Plain text run with emphasised keywords split out as bold runs. */
  private emphasized(value: string, base: Omit<Run, 'text'> = {}): Run[] {
    const text = this.clean(value);
    if (!this.emphasis) return [{ ...base, text }];
    const runs: Run[] = [];
    let last = 0;
    for (const match of text.matchAll(this.emphasis)) {
      const index = match.index ?? 0;
      if (index > last) runs.push({ ...base, text: text.slice(last, index) });
      runs.push({ ...base, text: match[0], bold: true });
      last = index + match[0].length;
    }
    if (last < text.length) runs.push({ ...base, text: text.slice(last) });
    return runs;
  }

  private run(value: string, style: Omit<Run, 'text'> = {}): Run {
    return { ...style, text: this.clean(value) };
  }

  /** `Position — Employer` style title; either half may be missing. */
  private title(primary: Maybe, secondary: Maybe, link?: Maybe): Paragraph | undefined {
    const runs: Run[] = [];
    if (present(primary)) runs.push(this.run(primary, { bold: true }));
    if (present(secondary)) {
      if (runs.length > 0) runs.push({ text: ' — ' });
      runs.push(this.run(secondary, present(link) ? { link: link.trim() } : {}));
    } else if (runs[0] && present(link)) {
      runs[0].link = link.trim();
    }
    return runs.length > 0 ? { role: 'title', runs } : undefined;
  }

  private meta(...parts: Maybe[]): Paragraph | undefined {
    const text = joinPresent(parts, SEPARATOR);
    return text ? { role: 'meta', runs: [this.run(text, { tone: 'muted' })] } : undefined;
  }

  private body(value: Maybe, style: Omit<Run, 'text'> = {}): Paragraph | undefined {
    return present(value) ? { role: 'body', runs: this.emphasized(value, style) } : undefined;
  }

  private labelled(label: string, values: Maybe[] | null | undefined): Paragraph | undefined {
    const list = joinPresent(values ?? [], ', ');
    if (!list) return undefined;
    return {
      role: 'body',
      runs: [{ text: `${label}: `, tone: 'muted' }, ...this.emphasized(list)],
    };
  }

  private bullets(values: Maybe[] | null | undefined): Paragraph[] {
    return (values ?? [])
      .filter(present)
      .map((v) => ({ role: 'bullet', runs: this.emphasized(v) }));
  }

  private entry(...parts: (Paragraph | Paragraph[] | undefined)[]): Entry | undefined {
    const paragraphs = parts.flat().filter((p): p is Paragraph => p !== undefined);
    return paragraphs.length > 0 ? { paragraphs } : undefined;
  }

  private section<T>(
    heading: string,
    items: readonly T[] | null | undefined,
    toEntry: (item: T) => Entry | undefined,
    dense = false,
  ): Section | undefined {
    const entries = (items ?? []).map(toEntry).filter((e): e is Entry => e !== undefined);
    return entries.length > 0 ? { heading, entries, dense } : undefined;
  }

  /**
   * A cover letter as a model: the name and contact line as the header, then
   * one section without a heading whose entries are the recipient, the
   * salutation, each paragraph, and the closing with the signature, so a page
   * breaks only between them.
   */
  buildLetter(letter: Letter): ResumeModel {
    const contact: Run[] = [];
    for (const value of letter.contact ?? []) {
      if (!present(value)) continue;
      if (contact.length > 0) contact.push({ text: SEPARATOR, tone: 'muted' });
      contact.push(this.run(value));
    }
    const entries = [
      this.entry(this.meta(letter.recipient)),
      this.entry(this.body(letter.salutation)),
      ...letter.paragraphs.map((paragraph) => this.entry(this.body(paragraph))),
      this.entry(this.body(letter.closing), this.body(letter.signature)),
    ].filter((e): e is Entry => e !== undefined);
    return {
      name: present(letter.name) ? this.clean(letter.name) : undefined,
      contact,
      sections: [{ heading: '', entries }],
      keywords: [],
    };
  }

  build(resume: Resume): ResumeModel {
    const basics = resume.basics ?? {};
    const location = basics.location;
    const contact: Run[] = [];
    const addContact = (value: Maybe, link?: string) => {
      if (!present(value)) return;
      if (contact.length > 0) contact.push({ text: SEPARATOR, tone: 'muted' });
      contact.push(this.run(value, link ? { link } : {}));
    };
    addContact(basics.email, present(basics.email) ? `mailto:${basics.email.trim()}` : undefined);
    addContact(basics.phone);
    addContact(basics.url, present(basics.url) ? basics.url.trim() : undefined);
    addContact(
      joinPresent([location?.city, location?.region, location?.countryCode], ', ') ??
        location?.address,
    );
    for (const profile of basics.profiles ?? []) {
      const label = joinPresent([profile.network, profile.username], ': ') ?? profile.url;
      addContact(label, present(profile.url) ? profile.url.trim() : undefined);
    }

    const sections = [
      present(basics.summary)
        ? {
            heading: 'Summary',
            entries: [{ paragraphs: [this.body(basics.summary) as Paragraph] }],
          }
        : undefined,
      this.section('Experience', resume.work, (w) =>
        this.entry(
          this.title(w.position, w.name ?? w.company, w.url),
          this.meta(formatDateRange(w.startDate, w.endDate), w.location),
          this.body(w.description, { italic: true, tone: 'muted' }),
          this.body(w.summary),
          this.bullets(w.highlights),
        ),
      ),
      this.section('Education', resume.education, (e) =>
        this.entry(
          this.title(e.institution, undefined, e.url),
          this.body(joinPresent([e.studyType, e.area], ', ')),
          this.meta(
            formatDateRange(e.startDate, e.endDate),
            present(e.score ?? e.gpa) ? `Score: ${e.score ?? e.gpa}` : undefined,
          ),
          this.labelled('Courses', e.courses),
        ),
      ),
      this.section(
        'Skills',
        resume.skills,
        (s) => {
          const runs: Run[] = [];
          if (present(s.name)) runs.push(this.run(s.name, { bold: true }));
          if (present(s.level))
            runs.push({ text: ' ' }, this.run(`(${s.level.trim()})`, { tone: 'muted' }));
          const keywords = joinPresent(s.keywords ?? [], ', ');
          if (keywords) {
            if (runs.length > 0) runs.push({ text: ': ' });
            runs.push(...this.emphasized(keywords));
          }
          return runs.length > 0 ? { paragraphs: [{ role: 'body', runs }] } : undefined;
        },
        true,
      ),
      this.section('Projects', resume.projects, (p) =>
        this.entry(
          this.title(p.name, p.entity, undefined),
          this.meta(
            formatDateRange(p.startDate, p.endDate),
            joinPresent(p.roles ?? [], ', '),
            p.url,
          ),
          this.body(p.description),
          this.bullets(p.highlights),
          this.labelled('Keywords', p.keywords),
        ),
      ),
      this.section('Volunteer', resume.volunteer, (v) =>
        this.entry(
          this.title(v.position, v.organization, v.url),
          this.meta(formatDateRange(v.startDate, v.endDate)),
          this.body(v.summary),
          this.bullets(v.highlights),
        ),
      ),
      this.section('Awards', resume.awards, (a) =>
        this.entry(
          this.title(a.title, a.awarder),
          this.meta(formatDate(a.date)),
          this.body(a.summary),
        ),
      ),
      this.section('Certificates', resume.certificates, (c) =>
        this.entry(this.title(c.name, c.issuer, c.url), this.meta(formatDate(c.date))),
      ),
      this.section('Publications', resume.publications, (p) =>
        this.entry(
          this.title(p.name, p.publisher, p.url),
          this.meta(formatDate(p.releaseDate)),
          this.body(p.summary),
        ),
      ),
      this.section(
        'Languages',
        resume.languages,
        (l) => {
          const text = joinPresent([l.language, l.fluency], ' — ');
          return text ? { paragraphs: [{ role: 'body', runs: [this.run(text)] }] } : undefined;
        },
        true,
      ),
      this.section(
        'Interests',
        resume.interests,
        (i) => {
          const runs: Run[] = [];
          if (present(i.name)) runs.push(this.run(i.name, { bold: true }));
          const keywords = joinPresent(i.keywords ?? [], ', ');
          if (keywords) {
            if (runs.length > 0) runs.push({ text: ': ' });
            runs.push(this.run(keywords));
          }
          return runs.length > 0 ? { paragraphs: [{ role: 'body', runs }] } : undefined;
        },
        true,
      ),
      this.section('References', resume.references, (r) =>
        this.entry(this.title(r.name, undefined), this.body(r.reference, { italic: true })),
      ),
    ].filter((s): s is Section => s !== undefined);

    const keywords = [
      ...(resume.skills ?? []).flatMap((s) => s.keywords ?? []),
      ...(resume.skills ?? []).map((s) => s.name),
    ].filter(present);

    return {
      name: present(basics.name)
        ? this.clean(basics.name)
        : present(legacyName(resume))
          ? this.clean(legacyName(resume) ?? '')
          : undefined,
      label: present(basics.label) ? this.clean(basics.label) : undefined,
      contact,
      sections,
      keywords: [...new Set(keywords.map((k) => this.clean(k)))],
    };
  }
}
