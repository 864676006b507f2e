/**
 * Greenhouse Job Board API: `GET {base}/boards/{token}/jobs?content=true`.
 * `content` is HTML-escaped HTML; the company is named by the board token.
 */
import { z } from 'zod';
import { escapedHtmlToCleanText } from './html-text.ts';
import { type FetchOptions, fetchBoardPostings, joinUrl } from './http-fetch.ts';
import type { BoardFetchResult, ConditionalValidators, JobBoardAdapter } from './types.ts';

const jobSchema = z.object({
  id: z.union([z.number(), z.string()]),
  title: z.string().min(1),
  absolute_url: z.string().nullish(),
  location: z.object({ name: z.string().nullish() }).nullish(),
  content: z.string().nullish(),
  offices: z
    .array(z.object({ name: z.string().nullish(), location: z.string().nullish() }))
    .nullish(),
});
const listSchema = z.object({ jobs: z.array(z.unknown()) });

export class GreenhouseAdapter implements JobBoardAdapter {
  readonly provider = 'greenhouse' as const;
  constructor(
    private readonly baseUrl: string,
    private readonly fetchOptions: FetchOptions = {},
  ) {}

  fetchBoard(board: string, validators: ConditionalValidators): Promise<BoardFetchResult> {
    return fetchBoardPostings({
      url: joinUrl(this.baseUrl, `boards/${encodeURIComponent(board)}/jobs?content=true`),
      context: { provider: this.provider, board },
      validators,
      fetchOptions: this.fetchOptions,
      entries: (body) => listSchema.safeParse(body).data?.jobs,
      entry: jobSchema,
      toPosting: (job) => {
        const location = job.location?.name?.trim() || null;
        return {
          externalId: String(job.id),
          title: job.title.trim(),
          company: board,
          location,
          remote: location ? /\bremote\b/i.test(location) : null,
          description: escapedHtmlToCleanText(job.content ?? ''),
          url: job.absolute_url ?? null,
        };
      },
    });
  }
}
