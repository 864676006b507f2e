/**
 * Lever Postings API: `GET {base}/postings/{site}?mode=json`, a JSON array.
 * The full description is `description` + each `lists` section + `additional`.
 */
import { z } from 'zod';
import { htmlToCleanText } from './html-text.ts';
import { type FetchOptions, fetchBoardPostings, joinUrl } from './http-fetch.ts';
import type { BoardFetchResult, ConditionalValidators, JobBoardAdapter } from './types.ts';

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

  fetchBoard(board: string, validators: ConditionalValidators): Promise<BoardFetchResult> {
    return fetchBoardPostings({
      url: joinUrl(this.baseUrl, `postings/${encodeURIComponent(board)}?mode=json`),
      context: { provider: this.provider, board },
      validators,
      fetchOptions: this.fetchOptions,
      entries: (body) => (Array.isArray(body) ? body : undefined),
      entry: postingSchema,
      toPosting: (p) => {
        const html = [
          p.description ?? (p.descriptionPlain ? `<p>${escapeText(p.descriptionPlain)}</p>` : ''),
          ...(p.lists ?? []).map(
            (list) => `<h3>${escapeText(list.text ?? '')}</h3><ul>${list.content ?? ''}</ul>`,
          ),
          p.additional ?? '',
        ].join('\n');
        const location = p.categories?.location?.trim() || null;
        return {
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
        };
      },
    });
  }
}
