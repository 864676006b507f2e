/**
 * INTERIM embedded analyzer: a small deterministic `analyzeJob` and
 * `scoreMatch` with no network and no model, used when the AI optimizer cannot
 * be reached. Replace with the imports from `lib/ai/embedded/` (the analyzer
 * the optimizer ships) once that module lands on main; the signatures match.
 */
import type { AnalyzeJobInput, JobAnalysis, Seniority } from './contract.ts';

/** Skills and tools recognised in descriptions, with their canonical spelling. */
const SKILLS = [
  'JavaScript',
  'TypeScript',
  'Node.js',
  'React',
  'Vue',
  'Angular',
  'Svelte',
  'Next.js',
  'HTML',
  'CSS',
  'Python',
  'Django',
  'Flask',
  'FastAPI',
  'Java',
  'Kotlin',
  'Scala',
  'Spring',
  'Go',
  'Rust',
  'C++',
  'C#',
  '.NET',
  'Ruby',
  'Rails',
  'PHP',
  'Laravel',
  'Elixir',
  'Erlang',
  'Haskell',
  'Swift',
  'Objective-C',
  'SQL',
  'NoSQL',
  'PostgreSQL',
  'MySQL',
  'SQLite',
  'MongoDB',
  'Redis',
  'Elasticsearch',
  'Cassandra',
  'DynamoDB',
  'Kafka',
  'RabbitMQ',
  'GraphQL',
  'REST',
  'gRPC',
  'AWS',
  'GCP',
  'Azure',
  'Docker',
  'Kubernetes',
  'Terraform',
  'Ansible',
  'Linux',
  'Git',
  'CI/CD',
  'Jenkins',
  'GitHub Actions',
  'Microservices',
  'Distributed Systems',
  'Machine Learning',
  'Deep Learning',
  'NLP',
  'PyTorch',
  'TensorFlow',
  'Pandas',
  'Spark',
  'Hadoop',
  'Airflow',
  'dbt',
  'Snowflake',
  'BigQuery',
  'Tableau',
  'Figma',
  'Sketch',
  'UX',
  'UI',
  'Product Management',
  'Agile',
  'Scrum',
  'Jira',
  'Security',
  'OAuth',
  'Networking',
  'Observability',
  'Prometheus',
  'Grafana',
  'Data Engineering',
  'Data Science',
  'Statistics',
  'Excel',
  'Salesforce',
  'SEO',
  'Marketing',
  'Sales',
  'Accounting',
  'Leadership',
  'Communication',
  'Mentoring',
  'Testing',
  'Selenium',
  'Cypress',
  'Jest',
  'iOS',
  'Android',
  'React Native',
  'Flutter',
  'Embedded',
  'FPGA',
  'Verilog',
  'Matlab',
  'R',
];

const NICE_MARKERS =
  /\b(nice to have|bonus|preferred|a plus|is a plus|desirable|ideally|good to have)\b/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const SKILL_PATTERNS = SKILLS.map((skill) => ({
  skill,
  // Word-ish boundaries that also work for names ending in symbols (C++, C#, .NET).
  pattern: new RegExp(`(^|[^\\p{L}\\p{N}+#.])${escapeRegExp(skill)}(?![\\p{L}\\p{N}+#])`, 'iu'),
}));

/** Skills named in `text`, in canonical spelling, in list order. */
export function findSkills(text: string): string[] {
  return SKILL_PATTERNS.filter(({ pattern }) => pattern.test(text)).map(({ skill }) => skill);
}

function seniorityOf(title: string, description: string): Seniority {
  const t = title.toLowerCase();
  if (/\bintern(ship)?\b/.test(t)) return 'intern';
  if (/\b(junior|jr\.?|entry[- ]level|graduate)\b/.test(t)) return 'junior';
  if (/\bprincipal\b/.test(t)) return 'principal';
  if (/\bstaff\b/.test(t)) return 'staff';
  if (/\b(head of|director|manager|vp)\b/.test(t)) return 'manager';
  if (/\blead\b/.test(t)) return 'lead';
  if (/\b(senior|sr\.?)\b/.test(t)) return 'senior';
  if (/\b(mid[- ]level|intermediate)\b/i.test(description)) return 'mid';
  return 'unknown';
}

function yearsMinOf(text: string): number | null {
  const match = /(\d{1,2})\s*(?:\+|plus)?\s*(?:-|–|to)?\s*(?:\d{1,2}\s*)?\+?\s*years?/i.exec(text);
  return match?.[1] ? Number(match[1]) : null;
}

function remoteOf(location: string | null, text: string): boolean | null {
  if (/\bremote\b/i.test(location ?? '')) return true;
  if (/\b(on-?site only|no remote|in[- ]office)\b/i.test(text)) return false;
  if (/\b(fully remote|remote[- ]first|work from anywhere|100% remote)\b/i.test(text)) return true;
  return null;
}

/** Structured requirements of a job, deterministically. */
export function analyzeJob(input: AnalyzeJobInput): JobAnalysis {
  const text = `${input.title}\n${input.description}`;
  const mustHave: string[] = [];
  const niceToHave: string[] = [];
  for (const line of input.description.split(/\n+|(?<=[.;])\s+/)) {
    const skills = findSkills(line);
    const target = NICE_MARKERS.test(line) ? niceToHave : mustHave;
    for (const skill of skills) {
      if (!mustHave.includes(skill) && !niceToHave.includes(skill)) target.push(skill);
    }
  }
  for (const skill of findSkills(input.title)) {
    if (!mustHave.includes(skill)) mustHave.unshift(skill);
  }
  const keywords = [...new Set([...mustHave, ...niceToHave])];
  return {
    title: input.title.trim(),
    seniority: seniorityOf(input.title, input.description),
    mustHave,
    niceToHave: niceToHave.filter((skill) => !mustHave.includes(skill)),
    keywords,
    yearsMin: yearsMinOf(text),
    location: input.location,
    remote: remoteOf(input.location, text),
  };
}

export interface MatchResult {
  score: number;
  matched: string[];
  missing: string[];
}

/**
 * Scores a profile's text against a job's analysis: must-have skills weigh
 * twice as much as nice-to-have ones. 0 when the job names no skill.
 */
export function scoreMatch(profileText: string, analysis: JobAnalysis): MatchResult {
  const must = [...new Set(analysis.mustHave)];
  const nice = [...new Set(analysis.niceToHave)].filter((k) => !must.includes(k));
  const extra = [...new Set(analysis.keywords)].filter(
    (k) => !must.includes(k) && !nice.includes(k),
  );
  const has = (keyword: string) =>
    new RegExp(`(^|[^\\p{L}\\p{N}+#.])${escapeRegExp(keyword)}(?![\\p{L}\\p{N}+#])`, 'iu').test(
      profileText,
    );
  const matched: string[] = [];
  const missing: string[] = [];
  let got = 0;
  let total = 0;
  for (const [keywords, weight] of [
    [must, 2],
    [nice, 1],
    [extra, 1],
  ] as const) {
    for (const keyword of keywords) {
      total += weight;
      if (has(keyword)) {
        matched.push(keyword);
        got += weight;
      } else {
        missing.push(keyword);
      }
    }
  }
  return { score: total === 0 ? 0 : Math.round((100 * got) / total), matched, missing };
}
