/**
 * Ashby Job Posting API: `GET {base}/posting-api/job-board/{name}?includeCompensation=true`,
 * `{apiVersion, jobs: [...]}`. Unlisted postings are skipped.
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

const jobSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  location: z.string().nullish(),
  isRemote: z.boolean().nullish(),
  workplaceType: z.string().nullish(),
  isListed: z.boolean().nullish(),
  jobUrl: z.string().nullish(),
  descriptionHtml: z.string().nullish(),
  descriptionPlain: z.string().nullish(),
});
const boardSchema = z.object({ jobs: z.array(z.unknown()) });

export class AshbyAdapter implements JobBoardAdapter {
  readonly provider = 'ashby' as const;
  constructor(
    private readonly baseUrl: string,
    private readonly fetchOptions: FetchOptions = {},
  ) {}

  async fetchBoard(board: string, validators: ConditionalValidators): Promise<BoardFetchResult> {
    const url = joinUrl(
      this.baseUrl,
      `posting-api/job-board/${encodeURIComponent(board)}?includeCompensation=true`,
    );
    const result = await fetchBoardJson(
      url,
      { provider: this.provider, board },
      validators,
      this.fetchOptions,
    );
    if (result.status === 'not_modified') return result;
    const parsedBoard = boardSchema.safeParse(result.body);
    if (!parsedBoard.success) throw new BoardFetchError('ashby board has no jobs array');
    const postings: NormalizedPosting[] = [];
    let skipped = 0;
    for (const raw of parsedBoard.data.jobs) {
      const parsed = jobSchema.safeParse(raw);
      if (!parsed.success) {
        skipped++;
        continue;
      }
      const job = parsed.data;
      if (job.isListed === false) continue;
      const location = job.location?.trim() || null;
      postings.push({
        externalId: job.id,
        title: job.title.trim(),
        company: board,
        location,
        remote:
          job.isRemote ?? (job.workplaceType ? job.workplaceType.toLowerCase() === 'remote' : null),
        description: job.descriptionHtml
          ? htmlToCleanText(job.descriptionHtml)
          : (job.descriptionPlain ?? '').trim(),
        url: job.jobUrl ?? null,
      });
    }
    return { status: 'ok', postings, validators: result.validators, skipped };
  }
}
