/**
 * Greenhouse Job Board API: `GET {base}/boards/{token}/jobs?content=true`.
 * `content` is HTML-escaped HTML; the company is named by the board token.
 */
import { z } from 'zod';
import { escapedHtmlToCleanText } from './html-text.ts';
import { type FetchOptions, fetchBoardJson, joinUrl } from './http-fetch.ts';
import {
  BoardFetchError,
  type BoardFetchResult,
  type ConditionalValidators,
  type JobBoardAdapter,
  type NormalizedPosting,
} from './types.ts';

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

  async fetchBoard(board: string, validators: ConditionalValidators): Promise<BoardFetchResult> {
    const url = joinUrl(this.baseUrl, `boards/${encodeURIComponent(board)}/jobs?content=true`);
    const result = await fetchBoardJson(
      url,
      { provider: this.provider, board },
      validators,
      this.fetchOptions,
    );
    if (result.status === 'not_modified') return result;
    const list = listSchema.safeParse(result.body);
    if (!list.success) throw new BoardFetchError('greenhouse board has no jobs array');
    const postings: NormalizedPosting[] = [];
    let skipped = 0;
    for (const raw of list.data.jobs) {
      const parsed = jobSchema.safeParse(raw);
      if (!parsed.success) {
        skipped++;
        continue;
      }
      const job = parsed.data;
      const location = job.location?.name?.trim() || null;
      postings.push({
        externalId: String(job.id),
        title: job.title.trim(),
        company: board,
        location,
        remote: location ? /\bremote\b/i.test(location) : null,
        description: escapedHtmlToCleanText(job.content ?? ''),
        url: job.absolute_url ?? null,
      });
    }
    return { status: 'ok', postings, validators: result.validators, skipped };
  }
}
