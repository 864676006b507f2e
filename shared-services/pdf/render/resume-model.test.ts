import { describe, expect, it } from 'vitest';
import { loadFaceSet } from './font-fallback.ts';
import { ModelBuilder, type Run } from './resume-model.ts';
import { TEMPLATES } from './templates.ts';
import { CoverageReport } from './text-coverage.ts';

const fonts = loadFaceSet(TEMPLATES.modern.fonts);

function bodyRuns(emphasize: string[], highlight: string): Run[] {
  const model = new ModelBuilder(new CoverageReport(fonts), emphasize).build({
    work: [{ name: 'Acme', position: 'Engineer', highlights: [highlight] }],
  });
  const bullet = model.sections[0]?.entries[0]?.paragraphs.find((p) => p.role === 'bullet');
  return bullet?.runs ?? [];
}

describe('ModelBuilder emphasis', () => {
  it('draws emphasised keywords bold wherever they occur, ignoring case', () => {
    const runs = bodyRuns(['kubernetes', 'Go'], 'Ran Go services on Kubernetes and KUBERNETES');
    expect(runs.filter((r) => r.bold).map((r) => r.text)).toEqual([
      'Go',
      'Kubernetes',
      'KUBERNETES',
    ]);
    expect(runs.map((r) => r.text).join('')).toBe('Ran Go services on Kubernetes and KUBERNETES');
  });

  it('matches whole words only, longest keyword first', () => {
    const runs = bodyRuns(
      ['Java', 'Node', 'Node.js', 'C++'],
      'Javascript, Node.js and C++ but not Java-ish',
    );
    expect(runs.filter((r) => r.bold).map((r) => r.text)).toEqual(['Node.js', 'C++', 'Java']);
  });

  it('leaves text alone without keywords', () => {
    expect(bodyRuns([], 'Plain text')).toEqual([{ text: 'Plain text' }]);
  });
});

describe('ModelBuilder sections', () => {
  it('orders sections by the standard headings and drops empty ones', () => {
    const model = new ModelBuilder(new CoverageReport(fonts)).build({
      basics: { name: 'A', summary: '  ' },
      skills: [{ name: 'X', keywords: ['y'] }],
      work: [{ name: 'W', position: 'P' }, {}],
      interests: [{ name: '', keywords: [] }],
      education: [],
    });
    expect(model.sections.map((s) => s.heading)).toEqual(['Experience', 'Skills']);
    expect(model.sections[0]?.entries).toHaveLength(1);
  });

  it('accepts the older `company` field for employers', () => {
    const model = new ModelBuilder(new CoverageReport(fonts)).build({
      work: [{ company: 'Initech', position: 'Dev' }],
    });
    const title = model.sections[0]?.entries[0]?.paragraphs[0]?.runs.map((r) => r.text).join('');
    expect(title).toBe('Dev — Initech');
  });
});
