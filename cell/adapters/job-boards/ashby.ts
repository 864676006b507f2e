/**
 * Ashby Job Posting API: `GET {base}/posting-api/job-board/{name}?includeCompensation=true`,
 * `{apiVersion, jobs: [...]}`. Unlisted postings are skipped.
 */
import { z } from 'zod';
import { htmlToCleanText } from './html-text.ts';
import { type FetchOptions, fetchBoardPostings, joinUrl } from './http-fetch.ts';
import type { BoardFetchResult, ConditionalValidators, JobBoardAdapter } from './types.ts';

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

  fetchBoard(board: string, validators: ConditionalValidators): Promise<BoardFetchResult> {
    return fetchBoardPostings({
      url: joinUrl(
        this.baseUrl,
        `posting-api/job-board/${encodeURIComponent(board)}?includeCompensation=true`,
      ),
      context: { provider: this.provider, board },
      validators,
      fetchOptions: this.fetchOptions,
      entries: (body) => boardSchema.safeParse(body).data?.jobs,
      entry: jobSchema,
      toPosting: (job) => {
        if (job.isListed === false) return undefined;
        const location = job.location?.trim() || null;
        return {
          externalId: job.id,
          title: job.title.trim(),
          company: board,
          location,
          remote:
            job.isRemote ??
            (job.workplaceType ? job.workplaceType.toLowerCase() === 'remote' : null),
          description: job.descriptionHtml
            ? htmlToCleanText(job.descriptionHtml)
            : (job.descriptionPlain ?? '').trim(),
          url: job.jobUrl ?? null,
        };
      },
    });
  }
}
