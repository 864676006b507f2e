/**
 * Local fake of the Greenhouse, Lever and Ashby public job-board APIs, a real
 * HTTP server speaking each provider's JSON format (modelled on their public
 * responses), with ETag / Last-Modified support and a request counter. Point
 * the cell's JOB_BOARD_*_URL at `urls`.
 */

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobInput } from '../../../lib/ai/contract.ts';

/** One posting, provider-neutral; rendered in each provider's format. */
export interface FakePosting {
  id: string;
  title: string;
  location: string;
  remote?: boolean;
  /** HTML description. */
  descriptionHtml: string;
  updatedAt?: string;
  /** Greenhouse application-form questions, served by the job's own endpoint with `questions=true`. */
  questions?: unknown[];
}

/** A generated job (lib/ai's `JobInput`) in a fake board's shape; plain text becomes paragraphs. */
export function boardPosting(id: string, job: JobInput): FakePosting {
  const descriptionHtml = /<[a-z]/i.test(job.description)
    ? job.description
    : job.description
        .split('\n')
        .filter(Boolean)
        .map((line) => `<p>${line.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</p>`)
        .join('\n');
  return { id, title: job.title, location: job.location ?? 'Berlin', descriptionHtml };
}

export type FakeProvider = 'greenhouse' | 'lever' | 'ashby';

export interface FakeJobBoards {
  urls: { greenhouse: string; lever: string; ashby: string };
  setBoard(provider: FakeProvider, board: string, postings: FakePosting[]): void;
  getBoard(provider: FakeProvider, board: string): FakePosting[];
  /** Requests per `provider/board`. */
  requestCount(provider: FakeProvider, board: string): number;
  /** Whether to send validators and answer 304. @defaultValue true */
  conditional: boolean;
  /** Answer this status instead of the board (e.g. 503) while set. */
  failWith: number | null;
  /**
   * Holds the board's next request until `release()`: `arrived` resolves once
   * it is waiting, so a test can act while a cell's fetch is in flight.
   */
  holdNext(provider: FakeProvider, board: string): { arrived: Promise<void>; release(): void };
  close(): Promise<void>;
}

function escapeHtml(html: string): string {
  return html
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function renderGreenhouse(board: string, postings: FakePosting[]): unknown {
  return {
    jobs: postings.map((p, i) => ({
      id: Number(p.id),
      internal_job_id: 100_000 + i,
      title: p.title,
      updated_at: p.updatedAt ?? '2026-01-14T10:55:28-05:00',
      requisition_id: String(50 + i),
      location: { name: p.location },
      absolute_url: `https://boards.greenhouse.io/${board}/jobs/${p.id}`,
      language: 'en',
      metadata: null,
      // Greenhouse sends the description as HTML-escaped HTML.
      content: escapeHtml(p.descriptionHtml),
      departments: [{ id: 13583, name: 'Engineering', parent_id: null, child_ids: [] }],
      offices: [
        { id: 8304, name: p.location, location: p.location, parent_id: null, child_ids: [] },
      ],
    })),
    meta: { total: postings.length },
  };
}

function renderLever(board: string, postings: FakePosting[]): unknown {
  return postings.map((p) => {
    // Lever splits a posting into an opening, lists of bullet points and a closing.
    const [opening, ...rest] = p.descriptionHtml.split('<h3>');
    return {
      id: p.id,
      text: p.title,
      categories: {
        commitment: 'Full-time',
        department: 'Engineering',
        location: p.location,
        team: 'Platform',
        allLocations: [p.location],
      },
      country: 'US',
      createdAt: 1_700_000_000_000,
      description: opening ?? '',
      descriptionPlain: (opening ?? '').replace(/<[^>]+>/g, ''),
      lists: rest.map((section) => {
        const [heading, body] = section.split('</h3>');
        return { text: heading ?? '', content: (body ?? '').replace(/<\/?ul>/g, '') };
      }),
      additional: '',
      additionalPlain: '',
      hostedUrl: `https://jobs.lever.co/${board}/${p.id}`,
      applyUrl: `https://jobs.lever.co/${board}/${p.id}/apply`,
      workplaceType: p.remote ? 'remote' : 'onsite',
    };
  });
}

function renderAshby(board: string, postings: FakePosting[]): unknown {
  return {
    apiVersion: '1',
    jobs: postings.map((p) => ({
      id: p.id,
      title: p.title,
      department: 'Engineering',
      team: 'Platform',
      employmentType: 'FullTime',
      location: p.location,
      secondaryLocations: [],
      address: { postalAddress: { addressLocality: p.location } },
      isRemote: p.remote ?? false,
      workplaceType: p.remote ? 'Remote' : 'OnSite',
      publishedAt: p.updatedAt ?? '2026-01-14T10:55:28.000+00:00',
      isListed: true,
      jobUrl: `https://jobs.ashbyhq.com/${board}/${p.id}`,
      applyUrl: `https://jobs.ashbyhq.com/${board}/${p.id}/application`,
      descriptionHtml: p.descriptionHtml,
      descriptionPlain: p.descriptionHtml.replace(/<[^>]+>/g, ''),
      shouldDisplayCompensationOnJobPostings: false,
      compensation: null,
    })),
  };
}

const ROUTES: {
  provider: FakeProvider;
  pattern: RegExp;
  render: (b: string, p: FakePosting[]) => unknown;
}[] = [
  {
    provider: 'greenhouse',
    pattern: /^\/greenhouse\/v1\/boards\/([^/]+)\/jobs$/,
    render: renderGreenhouse,
  },
  { provider: 'lever', pattern: /^\/lever\/v0\/postings\/([^/]+)$/, render: renderLever },
  { provider: 'ashby', pattern: /^\/ashby\/posting-api\/job-board\/([^/]+)$/, render: renderAshby },
];

/** Cell settings that point every job-board adapter at these fakes. */
export function jobBoardSettings(boards: FakeJobBoards) {
  return {
    JOB_BOARD_GREENHOUSE_URL: boards.urls.greenhouse,
    JOB_BOARD_LEVER_URL: boards.urls.lever,
    JOB_BOARD_ASHBY_URL: boards.urls.ashby,
  };
}

let boardSeq = 0;
/** A board token no other test uses. */
export function uniqueBoard(label: string): string {
  boardSeq++;
  return `${label}-${process.pid}-${boardSeq}-${Date.now()}`;
}

export async function startFakeJobBoards(): Promise<FakeJobBoards> {
  const boards = new Map<string, FakePosting[]>();
  const versions = new Map<string, number>();
  const counts = new Map<string, number>();
  const state = { conditional: true, failWith: null as number | null };
  const holds = new Map<string, { arrive(): void; released: Promise<void> }>();

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    // One Greenhouse job, with its form's questions when asked (`?questions=true`).
    const job = /^\/greenhouse\/v1\/boards\/([^/]+)\/jobs\/([^/]+)$/.exec(url.pathname);
    if (job) {
      const posting = boards
        .get(`greenhouse/${decodeURIComponent(job[1] ?? '')}`)
        ?.find((p) => p.id === decodeURIComponent(job[2] ?? ''));
      if (!posting) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Job not found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(
        JSON.stringify({
          id: posting.id,
          title: posting.title,
          ...(url.searchParams.get('questions') === 'true'
            ? { questions: posting.questions ?? [] }
            : {}),
        }),
      );
      return;
    }
    const route = ROUTES.find((r) => r.pattern.test(url.pathname));
    const board = route ? decodeURIComponent(route.pattern.exec(url.pathname)?.[1] ?? '') : '';
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const key = `${route.provider}/${board}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const hold = holds.get(key);
    if (hold) {
      holds.delete(key);
      hold.arrive();
      await hold.released;
    }
    if (state.failWith) {
      res
        .writeHead(state.failWith, { 'content-type': 'application/json' })
        .end('{"error":"failing"}');
      return;
    }
    const postings = boards.get(key);
    if (!postings) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":"Job board not found"}');
      return;
    }
    const body = JSON.stringify(route.render(board, postings));
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    const lastModified = new Date(
      Date.UTC(2026, 0, 1) + (versions.get(key) ?? 0) * 1000,
    ).toUTCString();
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (state.conditional) {
      headers.etag = etag;
      headers['last-modified'] = lastModified;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end();
        return;
      }
    }
    res.writeHead(200, headers).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    urls: {
      greenhouse: `${base}/greenhouse/v1`,
      lever: `${base}/lever/v0`,
      ashby: `${base}/ashby`,
    },
    setBoard(provider, board, postings) {
      const key = `${provider}/${board}`;
      boards.set(
        key,
        postings.map((p) => ({ ...p })),
      );
      versions.set(key, (versions.get(key) ?? 0) + 1);
    },
    getBoard(provider, board) {
      return (boards.get(`${provider}/${board}`) ?? []).map((p) => ({ ...p }));
    },
    requestCount(provider, board) {
      return counts.get(`${provider}/${board}`) ?? 0;
    },
    get conditional() {
      return state.conditional;
    },
    set conditional(value: boolean) {
      state.conditional = value;
    },
    get failWith() {
      return state.failWith;
    },
    set failWith(value: number | null) {
      state.failWith = value;
    },
    holdNext(provider, board) {
      let arrive = () => {};
      let release = () => {};
      const arrived = new Promise<void>((resolve) => {
        arrive = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.set(`${provider}/${board}`, { arrive, released });
      return { arrived, release };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
