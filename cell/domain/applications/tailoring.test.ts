import { describe, expect, it } from 'vitest';
import type { JsonResume } from '../../../lib/ai/contract.ts';
import { analyzeJob, tailorResumeWithRewrites } from '../../../lib/ai/embedded/index.ts';
import { createLogger } from '../../../lib/logger.ts';
import { FallbackResumeTailor, type ResumeTailor } from './tailoring.ts';

const logger = createLogger({ service: 'test', level: 'silent' });
const profile: JsonResume = {
  basics: { name: 'Ada', label: 'Backend Engineer' },
  work: [{ name: 'Acme', position: 'Engineer', highlights: ['Ran k8s clusters for 30 services'] }],
  skills: [{ name: 'Infra', keywords: ['Kubernetes', 'Go'] }],
};
const analysis = analyzeJob({ title: 'Platform Engineer', description: 'Kubernetes and Go' });
const input = { profile, analysis, strategy: 'keyword-first' as const };

function primary(): ResumeTailor & { calls: number } {
  return {
    calls: 0,
    async tailor() {
      this.calls += 1;
      return { variant: profile, citations: [], source: 'optimizer' };
    },
  };
}

describe('FallbackResumeTailor', () => {
  it('bypasses a provider after 3 consecutive unverified variants, for the cool-down', async () => {
    let now = 0;
    const provider = primary();
    const tailor = new FallbackResumeTailor(provider, logger, {
      now: () => now,
      cooldownMs: 1_000,
    });
    for (let i = 0; i < 3; i += 1) {
      expect((await tailor.tailor(input, { userId: 'u' })).source).toBe('optimizer');
      tailor.reportVerification('optimizer', false);
    }
    const embedded = await tailor.tailor(input, { userId: 'u' });
    expect(embedded.source).toBe('embedded');
    expect(embedded).toEqual({
      ...tailorResumeWithRewrites(profile, analysis, 'keyword-first'),
      source: 'embedded',
    });
    expect(embedded.citations.length).toBeGreaterThan(0);
    expect(provider.calls).toBe(3);
    now = 1_001;
    expect((await tailor.tailor(input, { userId: 'u' })).source).toBe('optimizer');
  });

  it('counts neither the embedded provider nor a failure followed by a verified variant', async () => {
    const provider = primary();
    const tailor = new FallbackResumeTailor(provider, logger);
    tailor.reportVerification('optimizer', false);
    tailor.reportVerification('optimizer', false);
    tailor.reportVerification('optimizer', true);
    tailor.reportVerification('optimizer', false);
    tailor.reportVerification('embedded', false);
    tailor.reportVerification('embedded', false);
    expect(tailor.bypassed).toBe(false);
    expect((await tailor.tailor(input, { userId: 'u' })).source).toBe('optimizer');
  });
});
