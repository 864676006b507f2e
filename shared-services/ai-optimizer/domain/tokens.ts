/**
 * Token counting: OpenAI's o200k tokenizer (gpt-tokenizer, ranks bundled in
 * the package, nothing downloaded) where the model uses it, otherwise an
 * estimate from the character count.
 */
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { type CatalogEntry, CHARS_PER_TOKEN } from './catalog.ts';

export function countTokens(
  text: string,
  entry: Pick<CatalogEntry, 'tokenizer' | 'provider'>,
): number {
  const tokenizer = entry.tokenizer ?? (entry.provider === 'openai' ? 'o200k' : 'estimate');
  if (tokenizer === 'o200k') return countO200k(text);
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
