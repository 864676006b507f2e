/** Request bodies the scripts send: a small JSON Resume profile and hand-added jobs. */

/** A valid JSON Resume document (https://jsonresume.org/schema), with non-Latin text kept exact. */
export function resumeDocument(name: string, revision = 0) {
  return {
    basics: {
      name,
      label: 'Backend Engineer',
      email: 'load.user@loadtest.example.com',
      summary: `Builds reliable TypeScript services. Revision ${revision}.`,
      location: { city: 'Zürich', countryCode: 'CH' },
    },
    work: [
      {
        name: 'Example Systems',
        position: 'Senior Backend Engineer',
        startDate: '2019-03-01',
        summary: 'Owned the order pipeline.',
        highlights: [
          'Cut p95 latency of the order API by 40%',
          'Migrated 12 services to Kubernetes',
        ],
      },
    ],
    education: [
      {
        institution: 'ETH Zürich',
        area: 'Computer Science',
        studyType: 'MSc',
        startDate: '2014-09-01',
        endDate: '2016-08-31',
      },
    ],
    skills: [
      { name: 'Backend', keywords: ['TypeScript', 'Node.js', 'PostgreSQL', 'Redis'] },
      { name: 'Operations', keywords: ['Kubernetes', 'Prometheus'] },
    ],
  };
}

const TITLES = [
  'Backend Engineer',
  'Platform Engineer',
  'Site Reliability Engineer',
  'Data Engineer',
];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella'];

/** A `POST /v1/jobs` body for a job added by hand. */
export function manualJob(seed: number) {
  const title = TITLES[seed % TITLES.length] ?? 'Engineer';
  const company = COMPANIES[seed % COMPANIES.length] ?? 'Acme';
  return {
    title,
    company,
    description:
      `${company} is hiring a ${title}. You will build TypeScript and Node.js services on ` +
      'PostgreSQL and Redis, run them on Kubernetes and watch them with Prometheus. ' +
      'Must have: 5+ years of backend experience. Nice to have: Go. Remote within Europe.',
    url: `https://jobs.example.com/${company.toLowerCase()}/${seed}`,
  };
}

/** Search terms `load.ts` uses for `GET /v1/jobs?q=`. */
export const SEARCH_TERMS = ['engineer', 'typescript', 'kubernetes', 'remote', 'platform'];
