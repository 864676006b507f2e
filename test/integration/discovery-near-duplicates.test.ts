/**
 * Near-duplicate postings in real Postgres, against local fake boards: a
 * re-post with a light edit under a new id on another board joins the job of
 * its original; another role of the same company, or distinct postings of a
 * whole generated corpus, never do; an edited source never changes job.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  generateJob,
  lightlyEdit,
} from '../../shared-services/ai-optimizer/test-support/job-corpus.ts';
import {
  boardPosting,
  type FakeJobBoards,
  jobBoardSettings,
  startFakeJobBoards,
  uniqueBoard,
} from '../fakes/job-boards/fake-job-boards.ts';
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
  return () => cell.close();
});

async function follow(userId: string, provider: string, board: string) {
  const res = await cell.app.request('/v1/job-sources', {
    method: 'POST',
    headers: cell.signedHeaders(userId, { 'content-type': 'application/json' }),
    body: JSON.stringify({ provider, board, filters: {} }),
  });
  expect(res.status).toBe(201);
}

async function jobCount(): Promise<number> {
  const [row] = await cell.db.sql<{ n: number }[]>`select count(*)::int as n from jobs`;
  return row?.n ?? 0;
}

async function jobOf(externalId: string): Promise<string | undefined> {
  const [row] = await cell.db.sql<{ job_id: string }[]>`
    select job_id from postings where external_id = ${externalId}`;
  return row?.job_id;
}

describe('near-duplicate postings', () => {
  it('lists a re-post with a light edit on another board as one job with both sources', async () => {
    const original = generateJob(11);
    // A light edit (here two bullets swapped), a changed sentence and a new salary line.
    const lightly = lightlyEdit(original, 3);
    const edited = {
      ...lightly,
      description: `${lightly.description.replace(
        'is an equal opportunity employer',
        'welcomes applicants of every background',
      )}\nSalary: EUR 85,000 to 100,000 per year.`,
    };
    expect(edited.description).toContain('welcomes applicants');
    const ghBoard = uniqueBoard('nd-gh');
    const leverBoard = uniqueBoard('nd-lever');
    boards.setBoard('greenhouse', ghBoard, [boardPosting('5100001', original)]);
    boards.setBoard('lever', leverBoard, [boardPosting('lv-repost-1', edited)]);
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', ghBoard);
    await follow(userId, 'lever', leverBoard);

    await cell.services.discovery.syncBoard('greenhouse', ghBoard);
    const second = await cell.services.discovery.syncBoard('lever', leverBoard);
    expect(second).toMatchObject({ created: 0, duplicates: 1, nearDuplicates: 1, linked: 0 });

    const list = await jsonOf(
      await cell.app.request('/v1/jobs', { headers: cell.signedHeaders(userId) }),
    );
    expect(list.jobs).toHaveLength(1);
    const detail = await jsonOf(
      await cell.app.request(`/v1/jobs/${list.jobs[0].id}`, {
        headers: cell.signedHeaders(userId),
      }),
    );
    expect(
      detail.sources.map((s: { provider: string; externalId: string }) => s.externalId).sort(),
    ).toEqual(['5100001', 'lv-repost-1']);
    // The job keeps the text of the posting that created it.
    expect(detail.description).toContain('is an equal opportunity employer');
    expect(detail.description).not.toContain('Salary: EUR');
  });

  it('keeps another role of the same company, and the same title with another description, apart', async () => {
    const base = generateJob(21);
    // Same company and boilerplate, another role.
    const otherRole = [...Array(500).keys()]
      .map((i) => generateJob(1000 + i))
      .find((job) => job.company === base.company && job.title !== base.title);
    // Same company and same title, another posting (stack, team, bullets).
    const sameTitle = [...Array(5000).keys()]
      .map((i) => generateJob(10_000 + i))
      .find((job) => job.company === base.company && job.title === base.title);
    if (!otherRole || !sameTitle) throw new Error('corpus has no such postings');
    const board = uniqueBoard('nd-company');
    boards.setBoard('greenhouse', board, [
      boardPosting('5200001', base),
      boardPosting('5200002', otherRole),
      boardPosting('5200003', sameTitle),
    ]);
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', board);
    const summary = await cell.services.discovery.syncBoard('greenhouse', board);
    expect(summary).toMatchObject({ created: 3, duplicates: 0, nearDuplicates: 0 });
    expect(await jobCount()).toBe(3);
  });

  it('never joins distinct postings of a generated corpus, and joins every light edit', async () => {
    const originals = Array.from({ length: 150 }, (_, i) => generateJob(777_000 + i));
    const first = uniqueBoard('nd-corpus');
    const second = uniqueBoard('nd-corpus-edits');
    boards.setBoard(
      'greenhouse',
      first,
      originals.map((job, i) => boardPosting(String(5_300_000 + i), job)),
    );
    boards.setBoard(
      'ashby',
      second,
      originals.map((job, i) =>
        boardPosting(
          `a0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          lightlyEdit(job, 99 + i),
        ),
      ),
    );
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', first);
    await follow(userId, 'ashby', second);

    const ingest = await cell.services.discovery.syncBoard('greenhouse', first);
    expect(ingest).toMatchObject({ fetched: 150, created: 150, duplicates: 0 });
    const edits = await cell.services.discovery.syncBoard('ashby', second);
    expect(edits).toMatchObject({ fetched: 150, created: 0, duplicates: 150 });
    expect(await jobCount()).toBe(150);
    // Each edit joined its own original, not some other job.
    const pairs = await cell.db.sql<{ n: number }[]>`
      select count(*)::int as n from postings a join postings b on a.job_id = b.job_id
      where a.provider = 'greenhouse' and b.provider = 'ashby'
        and substring(b.external_id from 25)::int = a.external_id::int - 5300000`;
    expect(pairs[0]?.n).toBe(150);
  });

  it('keeps an edited source in its job even when the edit makes it a different text', async () => {
    const original = generateJob(31);
    const repost = lightlyEdit(original, 5);
    const board = uniqueBoard('nd-hop');
    boards.setBoard('greenhouse', board, [boardPosting('5400001', original)]);
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', board);
    await cell.services.discovery.syncBoard('greenhouse', board);
    boards.setBoard('greenhouse', board, [
      boardPosting('5400001', original),
      boardPosting('5400002', repost),
    ]);
    await cell.services.discovery.syncBoard('greenhouse', board);
    const jobId = await jobOf('5400001');
    expect(await jobOf('5400002')).toBe(jobId);

    // The re-post is rewritten into another role's text: it stays where it is.
    const rewritten = { ...generateJob(32), title: original.title };
    boards.setBoard('greenhouse', board, [
      boardPosting('5400001', original),
      boardPosting('5400002', rewritten),
    ]);
    const summary = await cell.services.discovery.syncBoard('greenhouse', board);
    expect(summary).toMatchObject({ updated: 1, created: 0 });
    expect(await jobOf('5400002')).toBe(jobId);
    expect(await jobCount()).toBe(1);
    // Its index follows its new text: a copy of the rewritten text joins the same job.
    const [bands] = await cell.db.sql<{ n: number }[]>`
      select count(*)::int as n from posting_lsh_bands b join postings p on p.id = b.posting_id
      where p.external_id = '5400002'`;
    expect(bands?.n).toBe(32);
    boards.setBoard('greenhouse', board, [
      boardPosting('5400001', original),
      boardPosting('5400002', rewritten),
      boardPosting('5400003', { ...rewritten, description: `${rewritten.description} Apply now.` }),
    ]);
    const copy = await cell.services.discovery.syncBoard('greenhouse', board);
    expect(copy).toMatchObject({ created: 0, nearDuplicates: 1 });
    expect(await jobOf('5400003')).toBe(jobId);
  });

  it('indexes postings stored before signatures existed the next time their board is fetched', async () => {
    const original = generateJob(41);
    const board = uniqueBoard('nd-backfill');
    boards.setBoard('greenhouse', board, [boardPosting('5500001', original)]);
    const userId = await cell.createUser();
    await follow(userId, 'greenhouse', board);
    await cell.services.discovery.syncBoard('greenhouse', board);
    // As a posting from before migration 0013 looks.
    await cell.db.sql`
      delete from posting_lsh_bands;
      update postings set minhash = null, title_key = null`.simple();
    boards.conditional = false;
    boards.setBoard('greenhouse', board, [
      boardPosting('5500001', original),
      boardPosting('5500002', lightlyEdit(original, 8)),
    ]);
    const summary = await cell.services.discovery.syncBoard('greenhouse', board);
    expect(summary).toMatchObject({ created: 0, nearDuplicates: 1 });
    expect(await jobOf('5500002')).toBe(await jobOf('5500001'));
  });
});
