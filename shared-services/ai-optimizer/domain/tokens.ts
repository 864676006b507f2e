/**
 * Token counting: OpenAI's o200k tokenizer (gpt-tokenizer, ranks bundled in
 * the package, nothing downloaded) where the model uses it, otherwise an
 * estimate from the character count.
 */
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { type CatalogEntry, CHARS_PER_TOKEN } from './catalog.ts';

type TokenizerOf = Pick<CatalogEntry, 'tokenizer' | 'provider'>;

export function countTokens(text: string, entry: TokenizerOf): number {
  const tokenizer = entry.tokenizer ?? (entry.provider === 'openai' ? 'o200k' : 'estimate');
  if (tokenizer === 'o200k') return countO200k(text);
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Token counts of the few fixed system prompts, by tokenizer. */
const systemCounts = new Map<string, number>();

/**
 * Tokens of a system prompt plus a user message. The system prompts are fixed
 * texts, counted once; only the user message is tokenized per request (the
 * two counted apart may differ from the joined text by a token at the seam,
 * well inside an estimate).
 */
export function countPromptTokens(system: string, user: string, entry: TokenizerOf): number {
  const key = `${entry.tokenizer ?? entry.provider}\u0000${system}`;
  let systemTokens = systemCounts.get(key);
  if (systemTokens === undefined) {
    systemTokens = countTokens(system, entry);
    if (systemCounts.size < 64) systemCounts.set(key, systemTokens);
  }
  return systemTokens + countTokens(user, entry);
}
