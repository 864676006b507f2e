/** Deterministic fake postings with full-length HTML descriptions for discovery tests and benchmarks. */
import type { FakePosting } from './fake-job-boards.ts';

const STACKS = [
  ['TypeScript', 'Node.js', 'PostgreSQL', 'Redis'],
  ['Python', 'Django', 'AWS', 'Docker'],
  ['Go', 'Kubernetes', 'gRPC', 'Terraform'],
  ['Java', 'Spring', 'Kafka', 'MySQL'],
  ['Rust', 'Linux', 'Distributed Systems', 'Prometheus'],
  ['React', 'CSS', 'GraphQL', 'Figma'],
];
const ROLES = [
  'Backend Engineer',
  'Frontend Engineer',
  'Platform Engineer',
  'Data Engineer',
  'SRE',
];
const LEVELS = ['Junior', '', 'Senior', 'Staff', 'Principal'];
const CITIES = ['Berlin', 'New York, NY', 'London', 'Remote', 'São Paulo', 'Zürich', '東京'];

/** A posting whose description is about 4-5 KB of HTML, like a real one. */
export function fakePosting(i: number, idBase = 4_000_000): FakePosting {
  const stack = STACKS[i % STACKS.length] ?? [];
  const role = ROLES[i % ROLES.length] ?? 'Engineer';
  const level = LEVELS[Math.floor(i / ROLES.length) % LEVELS.length] ?? '';
  const city = CITIES[i % CITIES.length] ?? 'Berlin';
  const paragraphs = Array.from(
    { length: 6 },
    (_, p) =>
      `<p>Posting ${i}, paragraph ${p}: our team builds the systems that millions of people rely on every day. ` +
      `You will design, build and operate services with ${stack.join(', ')}, work closely with product and ` +
      `design, review code, write documentation and mentor colleagues. We care about reliability, clear ` +
      `communication, testing and continuous delivery, and we ship small changes often &amp; safely.</p>`,
  ).join('\n');
  return {
    id: String(idBase + i),
    title: `${level ? `${level} ` : ''}${role} #${i}`,
    location: city,
    remote: city === 'Remote',
    descriptionHtml:
      `<h2>About the role</h2>\n${paragraphs}\n` +
      `<h3>Requirements</h3><ul>${stack
        .slice(0, 3)
        .map((s) => `<li>${2 + (i % 5)}+ years of experience with ${s}</li>`)
        .join('')}</ul>` +
      `<h3>Nice to have</h3><ul><li>Nice to have: ${stack[3]}</li></ul>`,
  };
}

export function fakePostings(count: number, idBase = 4_000_000): FakePosting[] {
  return Array.from({ length: count }, (_, i) => fakePosting(i, idBase));
}
