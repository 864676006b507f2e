/** What the profile editor shows: the JSON Resume 1.0 sections and basics, and the fields it edits in each. */

export interface FieldSpec {
  key: string;
  label: string;
  kind?: 'text' | 'textarea' | 'lines';
}

export interface SectionSpec {
  key: string;
  title: string;
  /** What names an entry in its heading and buttons. */
  heading: string[];
  fields: FieldSpec[];
}

const DATES: FieldSpec[] = [
  { key: 'startDate', label: 'Start date (YYYY, YYYY-MM or YYYY-MM-DD)' },
  { key: 'endDate', label: 'End date (empty while current)' },
];

/** The JSON Resume 1.0 sections and the fields the form edits in each. */
export const SECTIONS: SectionSpec[] = [
  {
    key: 'work',
    title: 'Work',
    heading: ['position', 'name'],
    fields: [
      { key: 'name', label: 'Employer' },
      { key: 'position', label: 'Position' },
      { key: 'location', label: 'Location' },
      { key: 'url', label: 'Website' },
      ...DATES,
      { key: 'summary', label: 'Summary', kind: 'textarea' },
      { key: 'highlights', label: 'Highlights (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'education',
    title: 'Education',
    heading: ['studyType', 'area', 'institution'],
    fields: [
      { key: 'institution', label: 'Institution' },
      { key: 'area', label: 'Area' },
      { key: 'studyType', label: 'Degree' },
      { key: 'score', label: 'Score' },
      ...DATES,
      { key: 'courses', label: 'Courses (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'skills',
    title: 'Skills',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Skill' },
      { key: 'level', label: 'Level' },
      { key: 'keywords', label: 'Keywords (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'projects',
    title: 'Projects',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Name' },
      { key: 'url', label: 'Website' },
      ...DATES,
      { key: 'description', label: 'Description', kind: 'textarea' },
      { key: 'highlights', label: 'Highlights (one per line)', kind: 'lines' },
      { key: 'keywords', label: 'Keywords (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'volunteer',
    title: 'Volunteering',
    heading: ['position', 'organization'],
    fields: [
      { key: 'organization', label: 'Organization' },
      { key: 'position', label: 'Position' },
      { key: 'url', label: 'Website' },
      ...DATES,
      { key: 'summary', label: 'Summary', kind: 'textarea' },
      { key: 'highlights', label: 'Highlights (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'awards',
    title: 'Awards',
    heading: ['title'],
    fields: [
      { key: 'title', label: 'Title' },
      { key: 'awarder', label: 'Awarder' },
      { key: 'date', label: 'Date' },
      { key: 'summary', label: 'Summary', kind: 'textarea' },
    ],
  },
  {
    key: 'certificates',
    title: 'Certificates',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Name' },
      { key: 'issuer', label: 'Issuer' },
      { key: 'date', label: 'Date' },
      { key: 'url', label: 'Website' },
    ],
  },
  {
    key: 'publications',
    title: 'Publications',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Title' },
      { key: 'publisher', label: 'Publisher' },
      { key: 'releaseDate', label: 'Release date' },
      { key: 'url', label: 'Website' },
      { key: 'summary', label: 'Summary', kind: 'textarea' },
    ],
  },
  {
    key: 'languages',
    title: 'Languages',
    heading: ['language'],
    fields: [
      { key: 'language', label: 'Language' },
      { key: 'fluency', label: 'Fluency' },
    ],
  },
  {
    key: 'interests',
    title: 'Interests',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Interest' },
      { key: 'keywords', label: 'Keywords (one per line)', kind: 'lines' },
    ],
  },
  {
    key: 'references',
    title: 'References',
    heading: ['name'],
    fields: [
      { key: 'name', label: 'Name' },
      { key: 'reference', label: 'Reference', kind: 'textarea' },
    ],
  },
];

/** The basics the form edits (`basics.profiles` is edited as its own list). */
export const BASICS: FieldSpec[] = [
  { key: 'name', label: 'Name' },
  { key: 'label', label: 'Headline' },
  { key: 'email', label: 'Email' },
  { key: 'phone', label: 'Phone' },
  { key: 'url', label: 'Website' },
  { key: 'summary', label: 'Summary', kind: 'textarea' },
];

export const LOCATION: FieldSpec[] = [
  { key: 'city', label: 'City' },
  { key: 'region', label: 'Region' },
  { key: 'countryCode', label: 'Country code' },
];
