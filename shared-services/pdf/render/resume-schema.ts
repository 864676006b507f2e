/**
 * A permissive zod schema for JSON Resume documents and the variants tailoring
 * produces: every field is optional, `null` counts as absent, unknown fields
 * pass through, but a field of the wrong type is refused with its JSON pointer.
 */
import { z } from 'zod';

const text = z.string().nullish();
const textList = z.array(z.string()).nullish();

const location = z.looseObject({
  address: text,
  postalCode: text,
  city: text,
  countryCode: text,
  region: text,
});

const profile = z.looseObject({ network: text, username: text, url: text });

const basics = z.looseObject({
  name: text,
  label: text,
  image: text,
  email: text,
  phone: text,
  url: text,
  summary: text,
  location: location.nullish(),
  profiles: z.array(profile).nullish(),
});

const dated = { startDate: text, endDate: text };

const work = z.looseObject({
  name: text,
  /** Older JSON Resume drafts call the employer `company`. */
  company: text,
  position: text,
  location: text,
  description: text,
  url: text,
  ...dated,
  summary: text,
  highlights: textList,
});

const volunteer = z.looseObject({
  organization: text,
  position: text,
  url: text,
  ...dated,
  summary: text,
  highlights: textList,
});

const education = z.looseObject({
  institution: text,
  url: text,
  area: text,
  studyType: text,
  ...dated,
  score: text,
  /** Older drafts call it `gpa`. */
  gpa: text,
  courses: textList,
});

const award = z.looseObject({ title: text, date: text, awarder: text, summary: text });
const certificate = z.looseObject({ name: text, date: text, issuer: text, url: text });
const publication = z.looseObject({
  name: text,
  publisher: text,
  releaseDate: text,
  url: text,
  summary: text,
});
const skill = z.looseObject({ name: text, level: text, keywords: textList });
const language = z.looseObject({ language: text, fluency: text });
const interest = z.looseObject({ name: text, keywords: textList });
const reference = z.looseObject({ name: text, reference: text });
const project = z.looseObject({
  name: text,
  description: text,
  highlights: textList,
  keywords: textList,
  ...dated,
  url: text,
  roles: textList,
  entity: text,
  type: text,
});

/** The top-level keys that make an object recognisably a JSON Resume document. */
export const RESUME_SECTIONS = [
  'basics',
  'work',
  'volunteer',
  'education',
  'awards',
  'certificates',
  'publications',
  'skills',
  'languages',
  'interests',
  'references',
  'projects',
] as const;

export const resumeSchema = z
  .looseObject({
    basics: basics.nullish(),
    work: z.array(work).nullish(),
    volunteer: z.array(volunteer).nullish(),
    education: z.array(education).nullish(),
    awards: z.array(award).nullish(),
    certificates: z.array(certificate).nullish(),
    publications: z.array(publication).nullish(),
    skills: z.array(skill).nullish(),
    languages: z.array(language).nullish(),
    interests: z.array(interest).nullish(),
    references: z.array(reference).nullish(),
    projects: z.array(project).nullish(),
  })
  .refine((resume) => RESUME_SECTIONS.some((key) => resume[key] != null), {
    message: `not a JSON Resume document: expected at least one of ${RESUME_SECTIONS.join(', ')}`,
  });

export type Resume = z.infer<typeof resumeSchema>;

export const TEMPLATE_IDS = ['classic', 'modern', 'compact'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export const PAGE_SIZES = ['letter', 'a4'] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

export const DOCUMENT_FORMATS = ['pdf', 'docx', 'txt'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** The body of `POST /v1/render`, also the input of {@link renderResume}. */
export const renderRequestSchema = z.object({
  resume: z
    .custom<unknown>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      'not a JSON Resume document: expected an object',
    )
    .pipe(resumeSchema),
  template: z.enum(TEMPLATE_IDS),
  emphasize: z.array(z.string().min(1).max(100)).max(200).optional(),
  /** @defaultValue 'letter' */
  pageSize: z.enum(PAGE_SIZES).default('letter'),
  /** @defaultValue 'pdf' */
  format: z.enum(DOCUMENT_FORMATS).default('pdf'),
});

export type RenderRequest = z.input<typeof renderRequestSchema>;

const letterLine = z.string().trim().min(1).max(2_000);

/**
 * A cover letter: the writer's name and contact line on top, the recipient,
 * the salutation, the body paragraphs, the closing and the signature, drawn
 * with a template's fonts and styles like a resume.
 */
export const letterSchema = z.object({
  name: letterLine.optional(),
  /** Contact details (email, phone…), one line joined with the template's separator. */
  contact: z.array(letterLine).max(6).optional(),
  /** Who the letter is for: "Initech — Platform Engineer". */
  recipient: letterLine.optional(),
  salutation: letterLine,
  paragraphs: z.array(z.string().trim().min(1).max(5_000)).min(1).max(10),
  closing: letterLine,
  signature: letterLine.optional(),
});
export type Letter = z.infer<typeof letterSchema>;

/** The body of `POST /v1/render-letter`. */
export const letterRenderRequestSchema = z.object({
  letter: letterSchema,
  template: z.enum(TEMPLATE_IDS),
  /** @defaultValue 'letter' */
  pageSize: z.enum(PAGE_SIZES).default('letter'),
  /** @defaultValue 'pdf' */
  format: z.enum(DOCUMENT_FORMATS).default('pdf'),
});
export type LetterRenderRequest = z.input<typeof letterRenderRequestSchema>;
export type ParsedRenderRequest = z.infer<typeof renderRequestSchema>;
