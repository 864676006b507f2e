import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeJob, scoreMatch } from '../../../lib/ai/embedded/index.ts';
import { BOARD_TOKEN_PATTERN } from '../../adapters/job-boards/types.ts';
import { decodeJobsCursor, encodeJobsCursor } from '../jobs/jobs.ts';
import { normalizeText, postingFingerprint } from './fingerprint.ts';
import { passesFilters } from './source-filters.ts';

describe('posting fingerprint', () => {
  it('ignores case, punctuation and spacing but not wording', () => {
    const a = postingFingerprint({
      title: 'Senior Engineer',
      description: 'Build  things,\nwell.',
    });
    const b = postingFingerprint({ title: 'SENIOR engineer!', description: 'build things well' });
    const c = postingFingerprint({ title: 'Senior Engineer', description: 'Build other things.' });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('keeps letters of every script', () => {
    expect(normalizeText('Zürich — 東京, Москва!')).toBe('zürich 東京 москва');
  });
});

describe('board tokens', () => {
  it.each(['acme', 'acme-inc', 'Acme_2'])('accepts %s', (token) => {
    expect(BOARD_TOKEN_PATTERN.test(token)).toBe(true);
  });
  it.each(['https://x.io', 'a/b', '..', 'a.b', '', '-a', 'a b', 'a%2f'])('rejects %s', (token) => {
    expect(BOARD_TOKEN_PATTERN.test(token)).toBe(false);
  });
});

describe('jobs cursor', () => {
  it('round-trips every job id', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        expect(decodeJobsCursor(encodeJobsCursor(id))).toBe(id);
      }),
    );
  });
  it('rejects anything that is not one of its cursors', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const decoded = decodeJobsCursor(text);
        if (decoded !== undefined) expect(encodeJobsCursor(decoded)).toBe(text);
      }),
    );
  });
});

describe('source filters', () => {
  const posting = {
    title: 'Go Engineer',
    description: 'Kubernetes all day',
    location: 'Remote - EU',
    remote: true,
  };
  it('keeps a posting that passes every filter and drops one that fails any', () => {
    expect(
      passesFilters({ keywords: ['kubernetes'], locations: ['eu'], remote: true }, posting),
    ).toBe(true);
    expect(passesFilters({ keywords: ['java'] }, posting)).toBe(false);
    expect(passesFilters({ locations: ['Berlin'] }, posting)).toBe(false);
    expect(passesFilters({ remote: false }, posting)).toBe(false);
  });
});

describe('embedded analyzer', () => {
  it('finds must-have and nice-to-have skills, years, seniority and remote', () => {
    const analysis = analyzeJob({
      title: 'Senior Backend Engineer',
      company: 'Acme',
      location: 'Remote',
      description: 'You have 5+ years with TypeScript and PostgreSQL.\nNice to have: Kubernetes.',
    });
    expect(analysis).toMatchObject({
      seniority: 'senior',
      mustHave: ['TypeScript', 'PostgreSQL'],
      niceToHave: ['Kubernetes'],
      yearsMin: 5,
      remote: 'remote',
    });
    const match = scoreMatch(
      { skills: [{ name: 'Backend', keywords: ['TypeScript', 'Kubernetes'] }] },
      analysis,
    );
    expect(match).toEqual({
      score: 57, // must-haves weigh 3: (3 + 1) / (3 + 3 + 1)
      matched: ['TypeScript', 'Kubernetes'],
      missing: ['PostgreSQL'],
    });
  });

  it('scores between 0 and 100 for any profile', () => {
    const analysis = analyzeJob({
      title: 'Dev',
      company: 'x',
      description: 'Go, Rust, SQL',
    });
    fc.assert(
      fc.property(fc.string(), (text) => {
        const { score } = scoreMatch({ basics: { summary: text } }, analysis);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(100);
      }),
    );
  });
});
