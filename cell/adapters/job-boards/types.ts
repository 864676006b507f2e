/** What every job-board adapter returns: postings in one normalized shape. */

export const PROVIDERS = ['greenhouse', 'lever', 'ashby'] as const;
export type Provider = (typeof PROVIDERS)[number];

/**
 * A board token is one path segment: letters, digits, `-` and `_`. No URL, no
 * slash, no dots, so a user can only name a board on the configured host.
 */
export const BOARD_TOKEN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export interface NormalizedPosting {
  externalId: string;
  title: string;
  company: string;
  location: string | null;
  remote: boolean | null;
  /** Clean text, no HTML. */
  description: string;
  url: string | null;
}

export interface ConditionalValidators {
  etag: string | null;
  lastModified: string | null;
}

export type BoardFetchResult =
  | { status: 'not_modified' }
  | {
      status: 'ok';
      postings: NormalizedPosting[];
      validators: ConditionalValidators;
      skipped: number;
    };

export interface JobBoardAdapter {
  readonly provider: Provider;
  /** Reads the whole board; a 304 answers `not_modified`. */
  fetchBoard(board: string, validators: ConditionalValidators): Promise<BoardFetchResult>;
}

/** The board does not exist (404/410): retrying will not help. */
export class BoardNotFoundError extends Error {
  constructor(provider: Provider, board: string) {
    super(`${provider} board ${board} not found`);
    this.name = 'BoardNotFoundError';
  }
}

/** A transient failure (network, timeout, 5xx, 429, bad body): retry with backoff. */
export class BoardFetchError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'BoardFetchError';
  }
}
