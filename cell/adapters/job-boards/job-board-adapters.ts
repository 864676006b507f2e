/** Builds the job-board adapters from the configured base URLs, one per provider. */
import { AshbyAdapter } from './ashby.ts';
import { GreenhouseAdapter } from './greenhouse.ts';
import type { FetchOptions } from './http-fetch.ts';
import { LeverAdapter } from './lever.ts';
import type { JobBoardAdapter, Provider } from './types.ts';

export interface JobBoardUrls {
  greenhouse: string;
  lever: string;
  ashby: string;
}

export function createJobBoardAdapters(
  urls: JobBoardUrls,
  options: FetchOptions = {},
): Record<Provider, JobBoardAdapter> {
  return {
    greenhouse: new GreenhouseAdapter(urls.greenhouse, options),
    lever: new LeverAdapter(urls.lever, options),
    ashby: new AshbyAdapter(urls.ashby, options),
  };
}
