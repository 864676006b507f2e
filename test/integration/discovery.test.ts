/**
 * Discovery against local fake boards speaking each provider's real format:
 * ingestion once, idempotent re-runs, edits, removals, near-duplicates across
 * boards, analysis with the embedded fallback, and match scores.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MATCH_QUEUE } from '../../cell/infra/queues.ts';
import {
  type FakeJobBoards,
  type FakePosting,
  jobBoardSettings,
  startFakeJobBoards,
  uniqueBoard,
} from '../fakes/job-boards/fake-job-boards.ts';
import { fakePosting, fakePostings } from '../fakes/job-boards/postings.ts';
import { createTestCell, type TestCell } from '../harness/cell.ts';
import { jsonOf } from '../harness/http.ts';

let boards: FakeJobBoards;
let cell: TestCell;

beforeAll(async () => {
  boards = await startFakeJobBoards();
});
afterAll(() => boards.close());

beforeEach(async () => {
  cell = await createTestCell({
    config: {
      ...jobBoardSettings(boards),
    },
  });
  boards.conditional = true;
  boards.failWith = null;
  return () => cell.close();
});

async function follow(userId: string, provider: string, board: string, filters = {}) {
  const res = await cell.app.request('/v1/job-sources', {
    method: 'POST',
    headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
    body: JSON.stringify({ provider, board, filters }),
  });
  expect(res.status).toBe(201);
  return jsonOf(res);
}

async function count(table: string, where = 'true'): Promise<number> {
  const [row] = await cell.db.sql.unsafe(`select count(*)::int as n from ${table} where ${where}`);
  return row?.n as number;
}

describe('discovery of a 500-posting Greenhouse board', () => {
  it('ingests every posting once, and a second run adds none', async () => {
    const board = uniqueBoard('acme');
    boards.setBoard('greenhouse', board, fakePostings(500));
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', board);

    const first = await cell.services.discovery.syncBoard('greenhouse', board);
    expect(first).toMatchObject({ status: 'synced', fetched: 500, created: 500, linked: 500 });
    expect(await count('postings')).toBe(500);
    expect(await count('jobs')).toBe(500);
    expect(await count('user_jobs')).toBe(500);
    expect(await count('events', `type = 'job.discovered'`)).toBe(500);

    // Conditional request: the board has not changed, the fake answers 304.
    const second = await cell.services.discovery.syncBoard('greenhouse', board);
    expect(second.status).toBe('not_modified');
    // Without validators the full board comes back; still nothing new.
    boards.conditional = false;
    const third = await cell.services.discovery.syncBoard('greenhouse', board);
    expect(third).toMatchObject({
      status: 'synced',
      fetched: 500,
      created: 0,
      linked: 0,
      updated: 0,
    });
    expect(await count('postings')).toBe(500);
    expect(await count('events', `type = 'job.discovered'`)).toBe(500);
    expect(boards.requestCount('greenhouse', board)).toBe(3);
  });

  it('stores clean text, not HTML, from the escaped Greenhouse content', async () => {
    const board = uniqueBoard('clean');
    boards.setBoard('greenhouse', board, fakePostings(3));
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', board);
    await cell.services.discovery.syncBoard('greenhouse', board);
    const rows = await cell.db.sql<{ description: string }[]>`select description from postings`;
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.description).not.toMatch(/<\/?[a-z][^>]*>|&lt;|&amp;/i);
      expect(row.description).toContain('About the role');
      expect(row.description).toMatch(/small changes often & safely/);
      expect(row.description.length).toBeGreaterThan(2_000);
    }
  });
  it.each(['greenhouse', 'lever', 'ashby'] as const)(
    'stores a %s posting whose text holds U+0000 or a lone surrogate, which Postgres cannot store as is',
    async (provider) => {
      const board = uniqueBoard('nul');
      const [plain, odd] = fakePostings(2) as [FakePosting, FakePosting];
      boards.setBoard(provider, board, [
        plain,
        {
          ...odd,
          title: 'Backend\u0000 Engineer \ud800',
          location: 'Ber\u0000lin',
          descriptionHtml: `${odd.descriptionHtml}<p>NUL\u0000 here \udfff</p>`,
        },
      ]);
      const userId = await cell.createUser();
      await follow(userId, provider, board);
      const synced = await cell.services.discovery.syncBoard(provider, board);
      expect(synced).toMatchObject({ status: 'synced', fetched: 2, created: 2 });
      const rows = await cell.db.sql<{ title: string; location: string; description: string }[]>`
        select title, location, description from postings where title like 'Backend%'`;
      expect(rows).toHaveLength(1);
      expect(rows[0]?.title).toBe('Backend Engineer \ufffd');
      expect(rows[0]?.location).toBe('Berlin');
      expect(rows[0]?.description).toMatch(/NUL here \ufffd/);
    },
  );
});

describe('discovery changes', () => {
  it('updates an edited posting and closes a removed one', async () => {
    const board = uniqueBoard('edits');
    const postings = fakePostings(5);
    boards.setBoard(
      'lever',
      board,
      postings.map((p) => ({ ...p, id: `lv-${p.id}` })),
    );
    const userId = await cell.createUser();
    await follow(userId, 'lever', board);
    await cell.services.discovery.syncBoard('lever', board);

    const edited = postings.map((p) => ({ ...p, id: `lv-${p.id}` }));
    const target = edited[1];
    if (!target) throw new Error('fixture');
    target.title = 'Senior Backend Engineer (edited)';
    target.descriptionHtml = `${target.descriptionHtml}<p>Now with Elixir.</p>`;
    const removed = edited.pop();
    boards.setBoard('lever', board, edited);
    const summary = await cell.services.discovery.syncBoard('lever', board);
    expect(summary).toMatchObject({ updated: 1, closed: 1, created: 0 });

    const [job] = await cell.db.sql`
      select j.id, j.title, j.description from jobs j join postings p on p.job_id = j.id
      where p.external_id = ${target.id}`;
    expect(job?.title).toBe('Senior Backend Engineer (edited)');
    expect(job?.description).toContain('Now with Elixir.');
    const res = await cell.app.request(`/v1/jobs/${job?.id}`, {
      headers: cell.signedHeaders(userId),
    });
    expect((await jsonOf(res)).title).toBe('Senior Backend Engineer (edited)');

    const [gone] = await cell.db.sql`
      select p.status, p.closed_at, j.status as job_status from postings p join jobs j on j.id = p.job_id
      where p.external_id = ${removed?.id ?? ''}`;
    expect(gone).toMatchObject({ status: 'closed', job_status: 'closed' });
    expect(gone?.closed_at).not.toBeNull();

    // It comes back: reopened, not duplicated.
    boards.setBoard('lever', board, [...edited, removed as NonNullable<typeof removed>]);
    const back = await cell.services.discovery.syncBoard('lever', board);
    expect(back).toMatchObject({ reopened: 1, created: 0 });
    expect(await count('jobs')).toBe(5);
  });

  it('lists the same posting on two boards as one job with both sources', async () => {
    const ghBoard = uniqueBoard('dup-gh');
    const ashbyBoard = uniqueBoard('dup-ashby');
    const shared = fakePosting(7);
    boards.setBoard('greenhouse', ghBoard, [shared, fakePosting(8)]);
    boards.setBoard('ashby', ashbyBoard, [
      // Same posting, other ids and other markup and case: still the same job.
      {
        ...shared,
        id: 'a1b2c3d4-0000-4000-8000-000000000007',
        title: shared.title.toUpperCase(),
        descriptionHtml: shared.descriptionHtml
          .replaceAll('<p>', '<div>')
          .replaceAll('</p>', '</div>'),
      },
    ]);
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', ghBoard);
    await follow(userId, 'ashby', ashbyBoard);
    await cell.services.discovery.syncBoard('greenhouse', ghBoard);
    const second = await cell.services.discovery.syncBoard('ashby', ashbyBoard);
    expect(second).toMatchObject({ created: 0, duplicates: 1, linked: 0 });

    const list = await jsonOf(
      await cell.app.request('/v1/jobs', { headers: cell.signedHeaders(userId) }),
    );
    expect(list.jobs).toHaveLength(2);
    const job = list.jobs.find((j: { title: string }) => j.title === shared.title);
    const detail = await jsonOf(
      await cell.app.request(`/v1/jobs/${job.id}`, { headers: cell.signedHeaders(userId) }),
    );
    expect(detail.sources.map((s: { provider: string }) => s.provider).sort()).toEqual([
      'ashby',
      'greenhouse',
    ]);
    expect(await count('events', `type = 'job.discovered'`)).toBe(2);
  });

  it('recognises a posting re-posted under a new id as the same job', async () => {
    const board = uniqueBoard('repost');
    const original = fakePosting(3);
    boards.setBoard('greenhouse', board, [original]);
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', board);
    await cell.services.discovery.syncBoard('greenhouse', board);
    boards.setBoard('greenhouse', board, [{ ...original, id: '9999001' }]);
    const summary = await cell.services.discovery.syncBoard('greenhouse', board);
    expect(summary).toMatchObject({ created: 0, duplicates: 1, closed: 1 });
    const jobs = await cell.db.sql`select status from jobs`;
    expect(jobs).toEqual([{ status: 'open' }]);
    expect(await count('postings')).toBe(2);
  });

  it('applies each follower filters to what they get', async () => {
    const board = uniqueBoard('filters');
    boards.setBoard('greenhouse', board, fakePostings(14));
    const everything = await cell.createUser();
    const remoteOnly = await cell.createUser();
    const goOnly = await cell.createUser();
    await follow(everything, 'greenhouse', board);
    await follow(remoteOnly, 'greenhouse', board, { remote: true });
    await follow(goOnly, 'greenhouse', board, { keywords: ['kubernetes'] });
    await cell.services.discovery.syncBoard('greenhouse', board);
    expect(await count('user_jobs', `user_id = '${everything}'`)).toBe(14);
    expect(await count('user_jobs', `user_id = '${remoteOnly}'`)).toBe(2);
    expect(await count('user_jobs', `user_id = '${goOnly}'`)).toBe(2);
  });

  it('gives a new follower the board postings the cell already has, without fetching', async () => {
    const board = uniqueBoard('late');
    boards.setBoard('ashby', board, fakePostings(4, 10));
    const first = await cell.createUser();
    await follow(first, 'ashby', board);
    await cell.services.discovery.syncBoard('ashby', board);
    const before = boards.requestCount('ashby', board);
    const late = await cell.createUser();
    const created = await follow(late, 'ashby', board);
    expect(created.linked).toBe(4);
    expect(boards.requestCount('ashby', board)).toBe(before);
    expect(await count('events', `type = 'job.discovered' and user_id = '${late}'`)).toBe(4);
  });

  it('links a user who follows the board while the cell is fetching it', async () => {
    const board = uniqueBoard('racing');
    boards.setBoard('greenhouse', board, fakePostings(4, 20));
    const first = await cell.createUser();
    await follow(first, 'greenhouse', board);
    const held = boards.holdNext('greenhouse', board);
    const syncing = cell.services.discovery.syncBoard('greenhouse', board);
    await held.arrived;
    // The cell has asked the board and has no postings yet: the follow links nothing now…
    const late = await cell.createUser();
    expect((await follow(late, 'greenhouse', board)).linked).toBe(0);
    held.release();
    await syncing;
    // …and the sync that was in flight links the late follower too, not only the followers it
    // saw before it asked the board.
    expect(await count('user_jobs', `user_id = '${first}'`)).toBe(4);
    expect(await count('user_jobs', `user_id = '${late}'`)).toBe(4);
  });

  it('catches a frozen follower up on what the board gained while it was frozen, once it is let go', async () => {
    const board = uniqueBoard('frozen');
    boards.setBoard('lever', board, fakePostings(2, 30));
    const userId = await cell.createUser();
    await follow(userId, 'lever', board);
    await cell.services.discovery.syncBoard('lever', board);
    expect(await count('user_jobs', `user_id = '${userId}'`)).toBe(2);
    // A migration freezes the user; the sync meanwhile passes them by…
    await cell.services.lifecycle.freeze(userId, 1_000);
    boards.setBoard('lever', board, fakePostings(3, 30));
    await cell.services.discovery.syncBoard('lever', board);
    expect(await count('user_jobs', `user_id = '${userId}'`)).toBe(2);
    // …and when it rolls back, the user gets the new posting without waiting for the board to
    // change again (the next fetch is a 304 that links nobody).
    await cell.services.lifecycle.unfreeze(userId);
    expect(await count('user_jobs', `user_id = '${userId}'`)).toBe(3);
    expect(await count('events', `type = 'job.discovered' and user_id = '${userId}'`)).toBe(3);
    expect(await cell.services.jobSources.catchUp(userId)).toBe(0);
  });

  it('rescores what was analyzed while the user was frozen, once the freeze is lifted', async () => {
    const board = uniqueBoard('frozen-score');
    boards.setBoard('greenhouse', board, [fakePosting(0)]);
    const userId = await cell.createUser();
    const profile = await cell.app.request('/v1/profile', {
      method: 'PUT',
      headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
      body: JSON.stringify({
        basics: { name: 'Ana' },
        skills: [{ name: 'Dev', keywords: ['Go'] }],
      }),
    });
    expect(profile.status).toBe(200);
    await follow(userId, 'greenhouse', board);
    await cell.services.discovery.syncBoard('greenhouse', board);
    const [link] = await cell.db.sql<{ id: string }[]>`
      select job_id as id from user_jobs where user_id = ${userId}`;
    const jobId = link?.id as string;
    await cell.services.analysis.analyzeJob(jobId);
    // A new analysis while a migration holds the user: its scoring passes them by…
    await cell.services.lifecycle.freeze(userId, 1_000);
    await cell.db.sql`
      update jobs set analysis = jsonb_set(analysis, '{keywords}', '["Go"]') where id = ${jobId}`;
    expect(await cell.services.match.scoreJob(jobId)).toBe(0);
    // …and letting go queues a rescore of the stale scores, which finds that one.
    await cell.services.lifecycle.unfreeze(userId);
    const queued = (
      await cell.services.queues.queue(MATCH_QUEUE).getJobs(['waiting', 'delayed', 'prioritized'])
    ).filter((job) => job.data.userId === userId && job.data.staleOnly === true);
    expect(queued.map((job) => job.data)).toEqual([{ userId, staleOnly: true }]);
    expect(await cell.services.match.scoreUser(userId, { staleOnly: true })).toBe(1);
    const [scored] = await cell.db.sql<{ matched: string[] }[]>`
      select matched from user_jobs where user_id = ${userId} and job_id = ${jobId}`;
    expect(scored?.matched).toEqual(['Go']);
  });

  it('fails a missing board without retry and a failing one with a retryable error', async () => {
    const userId = await cell.createUser();
    const missing = uniqueBoard('missing');
    await follow(userId, 'greenhouse', missing);
    await expect(cell.services.discovery.syncBoard('greenhouse', missing)).rejects.toThrow(
      /not found/,
    );
    const failing = uniqueBoard('failing');
    boards.setBoard('lever', failing, fakePostings(1));
    await follow(userId, 'lever', failing);
    boards.failWith = 503;
    await expect(cell.services.discovery.syncBoard('lever', failing)).rejects.toMatchObject({
      name: 'BoardFetchError',
      status: 503,
    });
    const [state] = await cell.db
      .sql`select last_status, last_error from boards where board = ${failing}`;
    expect(state?.last_status).toBe(503);
  });
});

describe('GET /v1/job-sources', () => {
  it("shows each followed board's last fetch: none yet, OK with its open postings, unchanged, then failed with the board's status", async () => {
    const userId = await cell.createUser();
    const board = uniqueBoard('fetches');
    boards.setBoard('greenhouse', board, fakePostings(3));
    await follow(userId, 'greenhouse', board, { locations: ['Berlin'] });
    const list = async () => {
      const res = await cell.app.request('/v1/job-sources', {
        headers: cell.signedHeaders(userId),
      });
      expect(res.status).toBe(200);
      const body = (await jsonOf(res)) as { sources: Record<string, unknown>[] };
      expect(body.sources).toHaveLength(1);
      const [source] = body.sources;
      if (!source) throw new Error('no source listed');
      return source;
    };
    expect(await list()).toMatchObject({
      provider: 'greenhouse',
      board,
      filters: { locations: ['Berlin'] },
      lastFetch: null,
      openPostings: 0,
    });

    await cell.services.discovery.syncBoard('greenhouse', board);
    // Open postings count the whole board, before this follower's filters.
    expect(await list()).toMatchObject({
      lastFetch: { status: 200, error: null, count: 1, at: expect.any(String) },
      openPostings: 3,
    });
    await cell.services.discovery.syncBoard('greenhouse', board);
    expect(await list()).toMatchObject({ lastFetch: { status: 304, error: null, count: 2 } });

    boards.failWith = 503;
    await expect(cell.services.discovery.syncBoard('greenhouse', board)).rejects.toThrow();
    const failed = (await list()).lastFetch as { status: number; error: string; count: number };
    expect(failed).toMatchObject({ status: 503, count: 3 });
    expect(failed.error).toMatch(/503/);
  });
});

describe('analysis and match', () => {
  it('analyzes each new job once with the embedded analyzer when the optimizer is down', async () => {
    const board = uniqueBoard('analysis');
    boards.setBoard('greenhouse', board, fakePostings(2));
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', board);
    await cell.services.discovery.syncBoard('greenhouse', board);
    const jobs = await cell.db.sql<{ id: string }[]>`select id from jobs order by id`;
    const [first] = jobs;
    if (!first) throw new Error('no job');
    const outcome = await cell.services.analysis.analyzeJob(first.id);
    expect(outcome.status).toBe('analyzed');
    expect(outcome.source).toBe('embedded');
    expect(outcome.analysis?.mustHave).toEqual(expect.arrayContaining(['TypeScript', 'Node.js']));
    expect((await cell.services.analysis.analyzeJob(first.id)).status).toBe('up_to_date');
    expect(await count('events', `type = 'job.analyzed' and user_id = '${userId}'`)).toBe(1);
  });

  it('scores jobs against the profile and rescores when the profile changes', async () => {
    const board = uniqueBoard('match');
    boards.setBoard('greenhouse', board, [fakePosting(0)]);
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', board);
    await cell.services.discovery.syncBoard('greenhouse', board);
    const [job] = await cell.db.sql<{ id: string }[]>`select id from jobs`;
    if (!job) throw new Error('no job');

    const put = (skills: string[]) =>
      cell.app.request('/v1/profile', {
        method: 'PUT',
        headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
        body: JSON.stringify({
          basics: { name: 'Ana' },
          skills: [{ name: 'Dev', keywords: skills }],
        }),
      });
    expect((await put(['TypeScript'])).status).toBe(200);
    await cell.services.analysis.analyzeJob(job.id);
    const before = await jsonOf(
      await cell.app.request(`/v1/jobs/${job.id}`, { headers: cell.signedHeaders(userId) }),
    );
    expect(before.match.matched).toContain('TypeScript');
    expect(before.match.missing).toContain('PostgreSQL');
    // The list shows the same match, for the keyword chips of the web app's Jobs page.
    const listed = await jsonOf(
      await cell.app.request('/v1/jobs', { headers: cell.signedHeaders(userId) }),
    );
    expect(listed.jobs[0]).toMatchObject({
      id: job.id,
      score: before.match.score,
      matched: before.match.matched,
      missing: before.match.missing,
    });

    // Every keyword the analysis found, so the profile now covers the whole job.
    await put(before.analysis.keywords);
    await cell.services.match.scoreUser(userId);
    const after = await jsonOf(
      await cell.app.request(`/v1/jobs/${job.id}`, { headers: cell.signedHeaders(userId) }),
    );
    expect(after.match.score).toBe(100);
    expect(after.match.score).toBeGreaterThan(before.match.score);
    expect(after.match.profileVersion).toBe(2);
  });

  it('rescores only stale scores when asked: another analysis, another profile version', async () => {
    const board = uniqueBoard('stale');
    boards.setBoard('greenhouse', board, [fakePosting(0), fakePosting(1)]);
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', board);
    await cell.services.discovery.syncBoard('greenhouse', board);
    const jobIds = (
      await cell.db.sql<{ id: string }[]>`
        select job_id as id from user_jobs where user_id = ${userId} order by job_id`
    ).map((row) => row.id);
    expect(jobIds).toHaveLength(2);
    const putProfile = async (skills: string[]) => {
      const res = await cell.app.request('/v1/profile', {
        method: 'PUT',
        headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
        body: JSON.stringify({
          basics: { name: 'Ana' },
          skills: [{ name: 'Dev', keywords: skills }],
        }),
      });
      expect(res.status).toBe(200);
    };
    await putProfile(['TypeScript']);
    for (const id of jobIds) await cell.services.analysis.analyzeJob(id);
    const { match } = cell.services;
    expect(await match.scoreUser(userId, { staleOnly: true })).toBe(0);

    // Another analysis of one job: what a cell that analyzed a shared job otherwise holds.
    const [first, second] = jobIds as [string, string];
    await cell.db.sql`
      update jobs set analysis = jsonb_set(analysis, '{keywords}', '["TypeScript"]')
      where id = ${first}`;
    expect(await match.scoreUser(userId, { staleOnly: true })).toBe(1);
    const [rescored] = await cell.db.sql<{ matched: string[]; md5: boolean }[]>`
      select uj.matched, uj.scored_analysis_md5 = md5(j.analysis::text) as md5
      from user_jobs uj join jobs j on j.id = uj.job_id
      where uj.user_id = ${userId} and uj.job_id = ${first}`;
    expect(rescored).toEqual({ matched: ['TypeScript'], md5: true });
    expect(await match.scoreUser(userId, { staleOnly: true })).toBe(0);

    // A new profile version makes every score stale; `jobIds` still narrows it.
    await putProfile(['TypeScript', 'PostgreSQL']);
    expect(await match.scoreUser(userId, { jobIds: [second], staleOnly: true })).toBe(1);
    expect(await match.scoreUser(userId, { staleOnly: true })).toBe(1);
    expect(await match.scoreUser(userId, { staleOnly: true })).toBe(0);
    // Without `staleOnly`, every analyzed job is rescored, as before.
    expect(await match.scoreUser(userId)).toBe(2);
  });
});
