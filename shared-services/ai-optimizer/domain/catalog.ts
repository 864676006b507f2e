/**
 * The model catalog (provider, model, prices, quality tier, context window),
 * the difficulty tier of each task input, and the routing rule: per provider,
 * the cheapest model that meets the tier, ordered by the fallback chain.
 */
import { z } from 'zod';
import type { TaskInputs, TaskName } from '../../../lib/ai/contract.ts';
import { EMBEDDED_MODEL } from '../../../lib/ai/embedded/index.ts';

export const PROVIDER_KINDS = ['openai', 'anthropic', 'local', 'embedded'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];
export type ChainGroup = ProviderKind | 'cloud';

/** 1 basic (extraction), 2 standard, 3 premium (long rewriting). */
export type Tier = 1 | 2 | 3;

export const catalogEntrySchema = z.object({
  provider: z.enum(PROVIDER_KINDS),
  model: z.string().min(1),
  /** USD per million input tokens. */
  inputUsdPerMTok: z.number().min(0),
  /** USD per million output tokens. */
  outputUsdPerMTok: z.number().min(0),
  /** Highest difficulty tier the model handles well. */
  tier: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  contextWindow: z.number().int().positive(),
  /** Whether several analyze-job inputs may share one call. @defaultValue true */
  batch: z.boolean().default(true),
  /** `o200k` (OpenAI's tokenizer) or `estimate` (characters / 3.6). */
  tokenizer: z.enum(['o200k', 'estimate']).optional(),
});
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;
export const catalogSchema = z.array(catalogEntrySchema).min(1);

export const EMBEDDED_ENTRY: CatalogEntry = {
  provider: 'embedded',
  model: EMBEDDED_MODEL,
  inputUsdPerMTok: 0,
  outputUsdPerMTok: 0,
  tier: 3,
  contextWindow: 1_000_000,
  batch: false,
};

export interface CatalogKeys {
  openai: boolean;
  anthropic: boolean;
  local: boolean;
  localModel: string;
}

/**
 * The catalog used when none is configured: public list prices of a cheap and a
 * strong model per configured cloud provider, the local model at no cost, and
 * the embedded provider. With no key at all, the embedded provider alone.
 */
export function defaultCatalog(keys: CatalogKeys): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  if (keys.openai)
    entries.push(
      {
        provider: 'openai',
        model: 'gpt-4o-mini',
        inputUsdPerMTok: 0.15,
        outputUsdPerMTok: 0.6,
        tier: 2,
        contextWindow: 128_000,
        batch: true,
        tokenizer: 'o200k',
      },
      {
        provider: 'openai',
        model: 'gpt-4o',
        inputUsdPerMTok: 2.5,
        outputUsdPerMTok: 10,
        tier: 3,
        contextWindow: 128_000,
        batch: true,
        tokenizer: 'o200k',
      },
    );
  if (keys.anthropic)
    entries.push(
      {
        provider: 'anthropic',
        model: 'claude-3-5-haiku-latest',
        inputUsdPerMTok: 0.8,
        outputUsdPerMTok: 4,
        tier: 2,
        contextWindow: 200_000,
        batch: true,
      },
      {
        provider: 'anthropic',
        model: 'claude-sonnet-4-0',
        inputUsdPerMTok: 3,
        outputUsdPerMTok: 15,
        tier: 3,
        contextWindow: 200_000,
        batch: true,
      },
    );
  if (keys.local)
    entries.push({
      provider: 'local',
      model: keys.localModel,
      inputUsdPerMTok: 0,
      outputUsdPerMTok: 0,
      tier: 1,
      contextWindow: 8_192,
      batch: true,
    });
  entries.push(EMBEDDED_ENTRY);
  return entries;
}

/** Cost in USD of `inputTokens` and `outputTokens` on `entry`. */
export function costOf(entry: CatalogEntry, inputTokens: number, outputTokens: number): number {
  return (inputTokens * entry.inputUsdPerMTok + outputTokens * entry.outputUsdPerMTok) / 1e6;
}

/** Characters per token when no tokenizer applies (English prose averages 3.6-4). */
export const CHARS_PER_TOKEN = 3.6;

/**
 * Difficulty rules, from the task kind and the input's size:
 * - score-match is keyword comparison: tier 1;
 * - analyze-job is extraction: tier 1, tier 2 past ~2,000 tokens of posting (long,
 *   multi-role postings where cheap models drop requirements);
 * - tailor-resume rewrites structure under the never-invent rule: tier 2, tier 3
 *   past ~3,000 tokens of profile.
 */
export function difficultyTier<T extends TaskName>(task: T, input: TaskInputs[T]): Tier {
  if (task === 'score-match') return 1;
  if (task === 'analyze-job') {
    const { job } = input as TaskInputs['analyze-job'];
    return job.description.length / CHARS_PER_TOKEN > 2_000 ? 2 : 1;
  }
  const { profile } = input as TaskInputs['tailor-resume'];
  return JSON.stringify(profile).length / CHARS_PER_TOKEN > 3_000 ? 3 : 2;
}

/** Output tokens to expect, for the budget estimate and `max_tokens`. */
export function expectedOutputTokens(task: TaskName, inputTokens: number): number {
  if (task === 'analyze-job') return 400;
  if (task === 'score-match') return 300;
  return Math.ceil(inputTokens * 1.1) + 200;
}

/**
 * The models to try in order: for each group of the chain, per provider, the
 * cheapest model whose tier and context window suffice (`cloud` sorts OpenAI and
 * Anthropic together by price). The embedded provider answers any tier.
 */
export function planChain(
  catalog: readonly CatalogEntry[],
  chain: readonly ChainGroup[],
  tier: Tier,
  inputTokens: number,
  outputTokens: number,
): CatalogEntry[] {
  const plan: CatalogEntry[] = [];
  const seen = new Set<ProviderKind>();
  const cheapest = (kind: ProviderKind): CatalogEntry | undefined =>
    catalog
      .filter(
        (e) =>
          e.provider === kind &&
          (kind === 'embedded' || e.tier >= tier) &&
          e.contextWindow >= inputTokens + outputTokens,
      )
      .sort(
        (a, b) => costOf(a, inputTokens, outputTokens) - costOf(b, inputTokens, outputTokens),
      )[0];
  for (const group of chain) {
    const kinds: ProviderKind[] = group === 'cloud' ? ['openai', 'anthropic'] : [group];
    const picks = kinds
      .filter((kind) => !seen.has(kind))
      .map((kind) => cheapest(kind))
      .filter((e): e is CatalogEntry => e !== undefined)
      .sort((a, b) => costOf(a, inputTokens, outputTokens) - costOf(b, inputTokens, outputTokens));
    for (const pick of picks) {
      seen.add(pick.provider);
      plan.push(pick);
    }
  }
  return plan;
}
