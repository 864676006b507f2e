/**
 * Lever Postings API: `GET {base}/postings/{site}?mode=json`, a JSON array.
 * The full description is `description` + each `lists` section + `additional`.
 */
import { z } from 'zod';
import { htmlToCleanText } from './html-text.ts';
import { type FetchOptions, fetchBoardJson, joinUrl } from './http-fetch.ts';
import {
  BoardFetchError,
  type BoardFetchResult,
  type ConditionalValidators,
  type JobBoardAdapter,
  type NormalizedPosting,
} from './types.ts';

const postingSchema = z.object({
  id: z.string().min(1),
  text: z.string().min(1),
  hostedUrl: z.string().nullish(),
  categories: z
    .object({ location: z.string().nullish(), allLocations: z.array(z.string()).nullish() })
    .nullish(),
  description: z.string().nullish(),
  descriptionPlain: z.string().nullish(),
  lists: z.array(z.object({ text: z.string().nullish(), content: z.string().nullish() })).nullish(),
  additional: z.string().nullish(),
  workplaceType: z.string().nullish(),
});

function escapeText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export class LeverAdapter implements JobBoardAdapter {
  readonly provider = 'lever' as const;
  constructor(
    private readonly baseUrl: string,
    private readonly fetchOptions: FetchOptions = {},
  ) {}

  async fetchBoard(board: string, validators: ConditionalValidators): Promise<BoardFetchResult> {
    const url = joinUrl(this.baseUrl, `postings/${encodeURIComponent(board)}?mode=json`);
    const result = await fetchBoardJson(
      url,
      { provider: this.provider, board },
      validators,
      this.fetchOptions,
    );
    if (result.status === 'not_modified') return result;
    if (!Array.isArray(result.body)) throw new BoardFetchError('lever board is not a JSON array');
    const postings: NormalizedPosting[] = [];
    let skipped = 0;
    for (const raw of result.body) {
      const parsed = postingSchema.safeParse(raw);
      if (!parsed.success) {
        skipped++;
        continue;
      }
      const p = parsed.data;
      const html = [
        p.description ?? (p.descriptionPlain ? `<p>${escapeText(p.descriptionPlain)}</p>` : ''),
        ...(p.lists ?? []).map(
          (list) => `<h3>${escapeText(list.text ?? '')}</h3><ul>${list.content ?? ''}</ul>`,
        ),
        p.additional ?? '',
      ].join('\n');
      const location = p.categories?.location?.trim() || null;
      postings.push({
        externalId: p.id,
        title: p.text.trim(),
        company: board,
        location,
        remote:
          p.workplaceType === 'remote'
            ? true
            : p.workplaceType === 'onsite'
              ? false
              : location
                ? /\bremote\b/i.test(location)
                : null,
        description: htmlToCleanText(html),
        url: p.hostedUrl ?? null,
      });
    }
    return { status: 'ok', postings, validators: result.validators, skipped };
  }
}
