import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobAnalysis, JsonResume } from '../../../lib/ai/contract.ts';
import {
  analyzeJob,
  tailorResumeWithRewrites,
  writeCoverLetter,
} from '../../../lib/ai/embedded/index.ts';
import { jobItems } from '../../../lib/ai/job-items.ts';
import { profileItems } from '../../../lib/ai/profile-items.ts';
import { createLogger } from '../../../lib/logger.ts';
import { type FakeLlmServer, startFakeLlmServer } from '../test-support/fake-llm-server.ts';
import { type CatalogEntry, EMBEDDED_ENTRY } from './catalog.ts';
import { createAnthropicProvider, createOpenAiProvider } from './chat-providers.ts';
import { AllProvidersFailedError } from './errors.ts';
import { ProviderChain, type ProviderChainOptions } from './provider-chain.ts';

const logger = createLogger({ service: 'test', level: 'silent' });
const OPENAI: CatalogEntry = {
  provider: 'openai',
  model: 'gpt-cheap',
  inputUsdPerMTok: 1,
  outputUsdPerMTok: 2,
  tier: 3,
  contextWindow: 100_000,
  batch: true,
};
const ANTHROPIC: CatalogEntry = { ...OPENAI, provider: 'anthropic', model: 'claude-cheap' };
const job = {
  title: 'Senior Platform Engineer',
  description: 'Requirements: 5+ years with Kubernetes, Terraform and Go. Nice to have: Kafka.',
};
const input = { job };

let openai: FakeLlmServer;
let anthropic: FakeLlmServer;
beforeAll(async () => {
  [openai, anthropic] = await Promise.all([
    startFakeLlmServer('openai'),
    startFakeLlmServer('anthropic'),
  ]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close()]);
});
beforeEach(() => {
  for (const fake of [openai, anthropic]) {
    fake.calls.length = 0;
    fake.behave = () => ({ type: 'ok' });
  }
});

function chain(overrides: Partial<ProviderChainOptions> = {}) {
  const sleeps: number[] = [];
  const instance = new ProviderChain({
    providers: {
      openai: createOpenAiProvider({ kind: 'openai', apiKey: 'sk-test', baseURL: openai.baseURL }),
      anthropic: createAnthropicProvider({ apiKey: 'sk-ant-test', baseURL: anthropic.baseURL }),
    },
    logger,
    maxRetries: 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { instance, sleeps };
}

const far = () => Date.now() + 30_000;

const sample = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/jsonresume/sample.resume.json', import.meta.url),
    'utf8',
  ),
) as JsonResume;
const webJob: JobAnalysis = analyzeJob({
  title: 'Web Developer',
  description: 'HTML, CSS, JavaScript',
});

/** The sample with its first highlight replaced by `text`. */
function rewrittenSample(text: string): JsonResume {
  const variant = structuredClone(sample);
  const first = variant.work?.[0];
  if (first?.highlights) first.highlights[0] = text;
  return variant;
}

function tailorThroughChain() {
  const { instance } = chain();
  return instance.run(
    'tailor-resume',
    { profile: sample, analysis: webJob, strategy: 'keyword-first' },
    [OPENAI, EMBEDDED_ENTRY],
    far(),
    100,
  );
}

describe('provider chain: happy path', () => {
  it('answers from the first provider with its tokens and cost', async () => {
    const { instance } = chain();
    const result = await instance.run('analyze-job', input, [OPENAI, ANTHROPIC], far(), 100);
    expect(result.entry.model).toBe('gpt-cheap');
    expect(result.output).toEqual(analyzeJob(job));
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.costUsd).toBeCloseTo(
      (result.inputTokens * 1 + result.outputTokens * 2) / 1e6,
      12,
    );
    expect(openai.calls).toHaveLength(1);
    expect(openai.calls[0]?.body.response_format).toEqual({ type: 'json_object' });
  });

  it('speaks the Anthropic Messages format', async () => {
    const { instance } = chain();
    const result = await instance.run('analyze-job', input, [ANTHROPIC], far(), 100);
    expect(result.entry.provider).toBe('anthropic');
    expect(result.output.mustHave).toEqual(['Kubernetes', 'Terraform', 'Go']);
    expect(anthropic.calls[0]?.body.system).toContain('structured requirements');
  });
});

describe('provider chain: errors and fallback', () => {
  it('falls back to the next provider when the first answers 500', async () => {
    openai.behave = () => ({ type: 'status', status: 500 });
    const { instance } = chain({ maxRetries: 1 });
    const result = await instance.run('analyze-job', input, [OPENAI, ANTHROPIC], far(), 100);
    expect(result.entry.provider).toBe('anthropic');
    expect(openai.calls).toHaveLength(2); // one retry, then move on
    expect(anthropic.calls).toHaveLength(1);
  });

  it('waits the Retry-After of a 429 and retries the same provider', async () => {
    openai.behave = (_call, index) =>
      index === 0 ? { type: 'status', status: 429, retryAfter: '2' } : { type: 'ok' };
    const { instance, sleeps } = chain();
    const result = await instance.run('analyze-job', input, [OPENAI, ANTHROPIC], far(), 100);
    expect(result.entry.provider).toBe('openai');
    expect(sleeps).toEqual([2000]);
    expect(openai.calls).toHaveLength(2);
    expect(anthropic.calls).toHaveLength(0);
  });

  it('moves on at once when Retry-After is longer than the longest wait it honours', async () => {
    openai.behave = () => ({ type: 'status', status: 429, retryAfter: '120' });
    const { instance, sleeps } = chain({ maxRetryAfterMs: 5_000 });
    const result = await instance.run('analyze-job', input, [OPENAI, ANTHROPIC], far(), 100);
    expect(result.entry.provider).toBe('anthropic');
    expect(sleeps).toEqual([]);
    expect(openai.calls).toHaveLength(1);
  });

  it('repairs a malformed answer with one more turn on the same model', async () => {
    openai.behave = (_call, index) => (index === 0 ? { type: 'malformed' } : { type: 'ok' });
    const { instance } = chain();
    const result = await instance.run('analyze-job', input, [OPENAI, ANTHROPIC], far(), 100);
    expect(result.entry.provider).toBe('openai');
    expect(openai.calls).toHaveLength(2);
    const repair = openai.calls[1]?.body.messages as { role: string; content: string }[];
    expect(repair.at(-1)?.content).toContain('not valid');
    // Both calls were paid for: more input tokens than a clean single call.
    openai.behave = () => ({ type: 'ok' });
    const clean = await chain().instance.run('analyze-job', input, [OPENAI], far(), 100);
    expect(result.inputTokens).toBeGreaterThan(clean.inputTokens);
  });

  it('goes to the next provider when the repaired answer is still malformed', async () => {
    openai.behave = () => ({ type: 'malformed' });
    const { instance } = chain();
    const result = await instance.run('analyze-job', input, [OPENAI, ANTHROPIC], far(), 100);
    expect(result.entry.provider).toBe('anthropic');
    expect(openai.calls).toHaveLength(2);
    expect(result.costUsd).toBeGreaterThan(0);
  });

  it('abandons a slow answer at the per-attempt timeout and falls back', async () => {
    openai.behave = () => ({ type: 'slow', delayMs: 3_000 });
    const { instance } = chain({ providerTimeoutMs: 150, maxRetries: 0 });
    const started = Date.now();
    const result = await instance.run('analyze-job', input, [OPENAI, ANTHROPIC], far(), 100);
    expect(result.entry.provider).toBe('anthropic');
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('rejects a tailored resume that invents content and falls back to the embedded tailor', async () => {
    openai.behave = () => ({ type: 'invent' });
    const result = await tailorThroughChain();
    expect(openai.calls).toHaveLength(2);
    expect(result.entry.provider).toBe('embedded');
    expect(result.output).toEqual(tailorResumeWithRewrites(sample, webJob, 'keyword-first'));
  });

  const badAnswers: [string, (ids: string[]) => string][] = [
    [
      'a rewrite without citations',
      () => JSON.stringify({ variant: rewrittenSample('Shipped web apps faster'), citations: [] }),
    ],
    [
      'a rewrite citing an item that does not exist',
      () =>
        JSON.stringify({
          variant: rewrittenSample('Shipped web apps faster'),
          citations: [{ pointer: '/work/0/highlights/0', cites: ['work.9.highlights.9~deadbeef'] }],
        }),
    ],
    ['malformed JSON', () => '{"variant": {"basics": '],
  ];
  for (const [name, answer] of badAnswers) {
    it(`repairs ${name} once, then falls back to the embedded tailor`, async () => {
      const ids = profileItems(sample).map((item) => item.id);
      openai.behave = () => ({ type: 'text', text: answer(ids) });
      const result = await tailorThroughChain();
      expect(openai.calls).toHaveLength(2);
      const repair = openai.calls[1]?.body.messages as { role: string; content: string }[];
      expect(repair.at(-1)?.content).toMatch(/not valid/);
      expect(result.entry.provider).toBe('embedded');
      expect(result.output).toEqual(tailorResumeWithRewrites(sample, webJob, 'keyword-first'));
    });
  }

  it('passes on a rewrite that cites a known item of the profile', async () => {
    const highlight = profileItems(sample).find((item) => item.pointer === '/work/0/highlights/0');
    const text = JSON.stringify({
      variant: rewrittenSample('Shipped web apps faster'),
      citations: [{ pointer: '/work/0/highlights/0', cites: [highlight?.id] }],
    });
    openai.behave = () => ({ type: 'text', text });
    const result = await tailorThroughChain();
    expect(openai.calls).toHaveLength(1);
    expect(result.entry.provider).toBe('openai');
    expect(result.output.variant.work?.[0]?.highlights?.[0]).toBe('Shipped web apps faster');
  });

  describe('cover letters', () => {
    const posting = {
      title: 'Web Developer',
      company: 'Initech',
      description: 'HTML, CSS, JavaScript',
    };
    const letterInput = { profile: sample, analysis: webJob, job: posting };
    const letterThroughChain = () =>
      chain().instance.run('cover-letter', letterInput, [OPENAI, EMBEDDED_ENTRY], far(), 100);

    it('passes on a letter whose sentences cite profile and posting items', async () => {
      const label = profileItems(sample).find((item) => item.kind === 'label');
      const title = jobItems(posting).find((item) => item.kind === 'title');
      const text = JSON.stringify({
        paragraphs: [
          {
            sentences: [
              { text: 'I am applying for the Web Developer position.', cites: [title?.id] },
            ],
          },
          { sentences: [{ text: `I am a ${label?.text}.`, cites: [label?.id] }] },
        ],
      });
      openai.behave = () => ({ type: 'text', text });
      const result = await letterThroughChain();
      expect(openai.calls).toHaveLength(1);
      expect(result.entry.provider).toBe('openai');
      expect(result.output.paragraphs).toHaveLength(2);
      const messages = (openai.calls[0]?.body.messages ?? []) as {
        role: string;
        content: string;
      }[];
      const user = messages.find((m) => m.role === 'user');
      expect(user?.content).toContain(title?.id);
    });

    const badLetters: [string, string][] = [
      [
        'a sentence without citations',
        JSON.stringify({ paragraphs: [{ sentences: [{ text: 'I am great.', cites: [] }] }] }),
      ],
      [
        'a sentence citing an unknown item',
        JSON.stringify({
          paragraphs: [{ sentences: [{ text: 'I know Go.', cites: ['job:sentence.7~deadbeef'] }] }],
        }),
      ],
      ['malformed JSON', '{"paragraphs": ['],
    ];
    for (const [name, text] of badLetters) {
      it(`repairs ${name} once, then falls back to the embedded letter`, async () => {
        openai.behave = () => ({ type: 'text', text });
        const result = await letterThroughChain();
        expect(openai.calls).toHaveLength(2);
        const repair = openai.calls[1]?.body.messages as { role: string; content: string }[];
        expect(repair.at(-1)?.content).toMatch(/not valid/);
        expect(result.entry.provider).toBe('embedded');
        expect(result.output).toEqual(writeCoverLetter(sample, webJob, posting));
      });
    }
  });

  it('fails with every reason when no provider answers and the chain has no embedded provider', async () => {
    openai.behave = () => ({ type: 'status', status: 400 });
    anthropic.behave = () => ({ type: 'status', status: 503 });
    const { instance } = chain({ maxRetries: 0 });
    await expect(
      instance.run('analyze-job', input, [OPENAI, ANTHROPIC], far(), 100),
    ).rejects.toBeInstanceOf(AllProvidersFailedError);
    expect(openai.calls).toHaveLength(1); // a 400 is not retried
  });
});

describe('provider chain: circuit breaker', () => {
  it('opens after 5 consecutive failures, probes once after 60 s and closes on success', async () => {
    let now = 1_000_000;
    openai.behave = () => ({ type: 'status', status: 500 });
    const { instance } = chain({ maxRetries: 0, now: () => now, breakerCooldownMs: 60_000 });
    const deadline = () => now + 30_000;
    for (let i = 0; i < 5; i++) {
      const result = await instance.run(
        'analyze-job',
        input,
        [OPENAI, EMBEDDED_ENTRY],
        deadline(),
        100,
      );
      expect(result.entry.provider).toBe('embedded');
    }
    expect(openai.calls).toHaveLength(5);
    expect(instance.breakerState('openai')).toBe('open');

    // Open: the provider is skipped without a call.
    await instance.run('analyze-job', input, [OPENAI, EMBEDDED_ENTRY], deadline(), 100);
    expect(openai.calls).toHaveLength(5);

    // After the cooldown one probe goes out; it fails, so the breaker re-opens.
    now += 60_000;
    await instance.run('analyze-job', input, [OPENAI, EMBEDDED_ENTRY], deadline(), 100);
    expect(openai.calls).toHaveLength(6);
    expect(instance.breakerState('openai')).toBe('open');
    await instance.run('analyze-job', input, [OPENAI, EMBEDDED_ENTRY], deadline(), 100);
    expect(openai.calls).toHaveLength(6);

    // The provider recovers: the next probe succeeds and closes the breaker.
    openai.behave = () => ({ type: 'ok' });
    now += 60_000;
    const recovered = await instance.run(
      'analyze-job',
      input,
      [OPENAI, EMBEDDED_ENTRY],
      deadline(),
      100,
    );
    expect(recovered.entry.provider).toBe('openai');
    expect(instance.breakerState('openai')).toBe('closed');
  });

  it('lets only one probe through while half-open', async () => {
    let now = 0;
    openai.behave = () => ({ type: 'status', status: 500 });
    const { instance } = chain({ maxRetries: 0, now: () => now });
    for (let i = 0; i < 5; i++)
      await instance.run('analyze-job', input, [OPENAI, EMBEDDED_ENTRY], now + 30_000, 100);
    now += 60_000;
    openai.behave = () => ({ type: 'slow', delayMs: 100 });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        instance.run('analyze-job', input, [OPENAI, EMBEDDED_ENTRY], now + 30_000, 100),
      ),
    );
    expect(openai.calls).toHaveLength(6);
    expect(results.filter((r) => r.entry.provider === 'openai')).toHaveLength(1);
  });
});
