/**
 * A deterministic generator of realistic job postings for tests and the
 * benchmark: varied companies, titles, stacks, sections and boilerplate, plus
 * reposts and light edits (reworded benefits, reordered bullets, a typo, a new
 * date line) of earlier postings.
 */
import type { JobInput } from '../../../lib/ai/contract.ts';
import { createRng } from '../../../lib/random.ts';

const COMPANIES = [
  ['Northwind Logistics', 'freight visibility software for mid-size shippers'],
  ['Bluefin Health', 'care coordination tools used by 400 clinics'],
  ['Quanta Ledger', 'accounting automation for growing businesses'],
  ['Arbor Energy', 'software that balances rooftop solar on the grid'],
  ['Lumen Learning Labs', 'adaptive tutoring for high-school math'],
  ['Keystone Payments', 'payment rails for marketplaces in 30 countries'],
  ['Orbital Maps', 'satellite imagery analytics for agriculture'],
  ['Helix Genomics', 'sequencing pipelines for research hospitals'],
  ['Tidewater Insurance', 'usage-based car insurance'],
  ['Pinecrest Retail', 'an e-commerce platform for independent bookstores'],
  ['Sparrow Messaging', 'secure team chat for regulated industries'],
  ['Granite Security', 'cloud posture management for enterprises'],
  ['Cobalt Robotics Works', 'warehouse picking robots'],
  ['Meridian Travel', 'corporate travel booking and expense'],
  ['Fernway Foods', 'a grocery delivery service in 12 cities'],
  ['Atlas HR Cloud', 'payroll and benefits for remote teams'],
  ['Vantage Ads', 'privacy-first advertising measurement'],
  ['Riverstone Bank', 'a digital-first community bank'],
  ['Nimbus Gaming', 'multiplayer mobile games'],
  ['Summit Legal Tech', 'contract review software for law firms'],
] as const;

const ROLES = [
  {
    title: 'Backend Engineer',
    must: [
      ['Go', 'PostgreSQL', 'Kubernetes'],
      ['Python', 'Django', 'PostgreSQL'],
      ['Java', 'Spring Boot', 'Kafka'],
      ['Node.js', 'TypeScript', 'MongoDB'],
      ['Ruby on Rails', 'MySQL', 'Redis'],
    ],
    nice: ['gRPC', 'Terraform', 'AWS', 'Datadog', 'RabbitMQ'],
  },
  {
    title: 'Frontend Engineer',
    must: [
      ['React', 'TypeScript', 'CSS'],
      ['Vue.js', 'JavaScript', 'HTML'],
      ['Angular', 'TypeScript', 'RxJS'],
      ['Svelte', 'TypeScript', 'Tailwind CSS'],
    ],
    nice: ['Next.js', 'Storybook', 'Playwright', 'GraphQL', 'accessibility'],
  },
  {
    title: 'Data Engineer',
    must: [
      ['Python', 'Airflow', 'Snowflake'],
      ['Scala', 'Apache Spark', 'Kafka'],
      ['SQL', 'dbt', 'BigQuery'],
    ],
    nice: ['Databricks', 'Terraform', 'Looker', 'Flink'],
  },
  {
    title: 'Machine Learning Engineer',
    must: [
      ['Python', 'PyTorch', 'Kubernetes'],
      ['Python', 'TensorFlow', 'MLflow'],
      ['Python', 'scikit-learn', 'SQL'],
    ],
    nice: ['Hugging Face', 'LLMs', 'Ray', 'CUDA', 'Airflow'],
  },
  {
    title: 'Site Reliability Engineer',
    must: [
      ['Kubernetes', 'Terraform', 'Prometheus'],
      ['AWS', 'Linux', 'Ansible'],
      ['Google Cloud', 'Go', 'Grafana'],
    ],
    nice: ['Istio', 'Argo CD', 'OpenTelemetry', 'PagerDuty'],
  },
  {
    title: 'Mobile Engineer',
    must: [
      ['Swift', 'iOS', 'Xcode'],
      ['Kotlin', 'Android', 'Jetpack Compose'],
      ['React Native', 'TypeScript', 'Redux'],
    ],
    nice: ['Firebase', 'GraphQL', 'CI/CD', 'Fastlane'],
  },
  {
    title: 'Full Stack Engineer',
    must: [
      ['TypeScript', 'React', 'Node.js'],
      ['Python', 'Flask', 'React'],
      ['PHP', 'Laravel', 'Vue.js'],
      ['C#', '.NET', 'Angular'],
    ],
    nice: ['Docker', 'AWS', 'PostgreSQL', 'Redis', 'Cypress'],
  },
  {
    title: 'Security Engineer',
    must: [
      ['AWS', 'IAM', 'Python'],
      ['Application Security', 'OWASP', 'Go'],
      ['SIEM', 'Splunk', 'incident response'],
    ],
    nice: ['SOC 2', 'Terraform', 'threat modeling', 'Kubernetes'],
  },
  {
    title: 'Data Analyst',
    must: [
      ['SQL', 'Tableau', 'Excel'],
      ['SQL', 'Looker', 'Python'],
      ['SQL', 'Power BI', 'statistics'],
    ],
    nice: ['dbt', 'A/B testing', 'R', 'Snowflake'],
  },
  {
    title: 'Platform Engineer',
    must: [
      ['Kubernetes', 'Go', 'Terraform'],
      ['AWS', 'Python', 'CI/CD'],
      ['Azure', 'C#', 'Docker'],
    ],
    nice: ['Helm', 'Vault', 'Backstage', 'Crossplane'],
  },
] as const;

const LEVELS = ['', 'Senior ', 'Staff ', 'Junior ', 'Lead ', 'Principal ', 'Senior ', ''] as const;
const YEARS: Record<string, number> = {
  '': 3,
  'Senior ': 5,
  'Staff ': 8,
  'Junior ': 1,
  'Lead ': 6,
  'Principal ': 10,
};
const CITIES = [
  'Berlin',
  'Austin, TX',
  'London',
  'Toronto',
  'New York, NY',
  'Lisbon',
  'Amsterdam',
  'Denver, CO',
  'Singapore',
  'Remote - US',
];
const WORK_MODES = [
  'This is a fully remote role; we work across time zones.',
  'This is a hybrid role with 2 days per week in our office.',
  'This role is on-site in our office, five days a week.',
  'We are remote-first, with quarterly team offsites.',
];
const RESPONSIBILITIES = [
  'Design, build and operate services that handle millions of requests a day',
  'Own features end to end, from the first sketch to production monitoring',
  'Work with product managers and designers to shape the roadmap',
  'Review code and help teammates grow through thoughtful feedback',
  'Improve reliability, latency and cost of the systems you own',
  'Write clear technical documents and share them across teams',
  'Participate in an on-call rotation with a healthy, humane schedule',
  'Break down large projects into small, shippable increments',
  'Partner with customer support to find and fix the root cause of issues',
  'Build internal tools that make every engineer faster',
  'Mentor junior engineers and run knowledge-sharing sessions',
  'Migrate legacy components to a modern, well-tested architecture',
  'Instrument systems with metrics, logs and traces',
  'Run experiments and use data to decide what to build next',
];
const SOFT = [
  'You communicate clearly in writing and in person',
  'You enjoy working in a small, autonomous team',
  'You care about code quality and automated testing',
  'You are comfortable with ambiguity and take ownership',
  'You have shipped and maintained production systems',
];
const BENEFITS = [
  'Competitive salary and equity',
  'Health, dental and vision insurance for you and your family',
  '25 days of paid vacation plus public holidays',
  'A yearly learning budget of $2,000',
  'Parental leave of 16 weeks',
  'A home-office stipend',
  'Flexible working hours',
  'A 401(k) plan with a 4% match',
  'Wellness allowance and gym membership',
];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

function sample<T>(rand: () => number, items: readonly T[], n: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length > 0)
    out.push(pool.splice(Math.floor(rand() * pool.length), 1)[0] as T);
  return out;
}

/** One posting; `seed` decides everything, so the corpus is reproducible. */
export function generateJob(seed: number): JobInput {
  const rand = createRng(seed);
  const [company, pitch] = pick(rand, COMPANIES);
  const role = pick(rand, ROLES);
  const level = pick(rand, LEVELS);
  const stack = pick<readonly string[]>(rand, role.must);
  const nice = sample<string>(rand, role.nice, 2);
  const years = (YEARS[level] ?? 3) + Math.floor(rand() * 2);
  const city = pick(rand, CITIES);
  const html = rand() < 0.5;
  const resp = sample(rand, RESPONSIBILITIES, 4 + Math.floor(rand() * 3));
  const soft = sample(rand, SOFT, 2);
  const benefits = sample(rand, BENEFITS, 4);
  const team = pick(rand, [
    'Payments',
    'Growth',
    'Core Platform',
    'Data',
    'Mobile',
    'Integrations',
    'Search',
    'Billing',
  ]);
  const reqs = [
    `${years}+ years of professional experience as a ${role.title.toLowerCase()}`,
    `Strong experience with ${stack[0]} and ${stack[1]}`,
    `Hands-on experience with ${stack[2]} in production`,
    ...soft,
  ];
  const sections: [string, string[]][] = [
    [
      'About us',
      [
        `${company} builds ${pitch}. Our ${team} team is hiring a ${level}${role.title} (#${seed % 9973}).`,
      ],
    ],
    ['What you will do', resp],
    ['Requirements', reqs],
    ['Nice to have', nice.map((n) => `Experience with ${n}`)],
    ['Benefits', benefits],
    ['Location', [`${city}. ${pick(rand, WORK_MODES)}`]],
  ];
  const description = html
    ? `${sections
        .map(
          ([h, lines]) =>
            `<h3>${h}</h3>${lines.length > 1 ? `<ul>${lines.map((l) => `<li>${l}</li>`).join('')}</ul>` : `<p>${lines[0]}</p>`}`,
        )
        .join('\n')}\n<p>${company} is an equal opportunity employer.</p>`
    : `${sections
        .map(
          ([h, lines]) =>
            `${h}:\n${lines.map((l) => (lines.length > 1 ? `- ${l}` : l)).join('\n')}`,
        )
        .join('\n\n')}\n\n${company} is an equal opportunity employer.`;
  return { title: `${level}${role.title}`, company, description, location: city };
}

/**
 * A light edit that keeps the requirements: a repost date line, a reworded
 * benefit, a typo fix, or two responsibility bullets swapped.
 */
export function lightlyEdit(job: JobInput, seed: number): JobInput {
  const rand = createRng(seed);
  const kind = Math.floor(rand() * 4);
  let description = job.description;
  if (kind === 0)
    description = `Reposted on 2026-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}.\n${description}`;
  else if (kind === 1)
    description = description
      .replace('Competitive salary and equity', 'A competitive salary with meaningful equity')
      .replace('Flexible working hours', 'Flexible hours');
  else if (kind === 2)
    description = description
      .replace('thoughtful feedback', 'thoughful feedback')
      .replace('production monitoring', 'monitoring in production');
  else {
    const bullets = [...description.matchAll(/(<li>|- )([^<\n]+)/g)].map((m) => m[2] as string);
    const [a, b] = [bullets[0], bullets[1]];
    if (a && b) description = description.replace(a, '\u0000').replace(b, a).replace('\u0000', b);
  }
  if (description === job.description)
    description = `${description}\nApply by the end of the month.`;
  return { ...job, description };
}

export interface WorkloadItem {
  job: JobInput;
  kind: 'new' | 'repost' | 'edit';
  /** Index of the original posting for reposts and edits. */
  of?: number;
}

/** `count` requests: 70% new postings, 30% reposts (a third) or light edits of earlier ones. */
export function buildWorkload(count: number, seed = 42): WorkloadItem[] {
  const rand = createRng(seed);
  const items: WorkloadItem[] = [];
  const originals: number[] = [];
  for (let i = 0; i < count; i++) {
    if (originals.length > 10 && rand() < 0.3) {
      const of = pick(rand, originals);
      const original = (items[of] as WorkloadItem).job;
      if (rand() < 1 / 3)
        items.push({
          job: { ...original, description: `${original.description}\n` },
          kind: 'repost',
          of,
        });
      else items.push({ job: lightlyEdit(original, seed * 7919 + i), kind: 'edit', of });
    } else {
      originals.push(items.length);
      items.push({ job: generateJob(seed * 100_003 + i), kind: 'new' });
    }
  }
  return items;
}
