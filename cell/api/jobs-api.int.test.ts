/**
 * The cell's profile, job-source, job and event endpoints: round trips, the
 * table of bad inputs (each a clear 4xx, never a 500), isolation between
 * users (404, not 403), rate limiting, and events in the same transaction.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.ts';
import { createTestCell, TEST_ROUTER_SECRET, type TestCell } from '../../test/harness/cell.ts';
import { jsonOf } from '../../test/harness/http.ts';
import { createApp } from './app.ts';

const SAMPLE_RESUME = readFileSync(
  new URL('../../test/fixtures/jsonresume/sample.resume.json', import.meta.url),
  'utf8',
);

let cell: TestCell;
beforeAll(async () => {
  cell = await createTestCell();
});
afterAll(() => cell.close());

function send(
  userId: string,
  method: string,
  path: string,
  body?: string,
  type = 'application/json',
) {
  return cell.app.request(path, {
    method,
    headers: cell.signedHeaders(userId, body === undefined ? {} : { 'content-type': type }),
    body,
  });
}

async function addManualJob(userId: string, title = 'Backend Engineer'): Promise<string> {
  const res = await send(
    userId,
    'POST',
    '/v1/jobs',
    JSON.stringify({
      title,
      company: 'Acme',
      description: 'You have 5+ years with TypeScript and PostgreSQL.\nNice to have: Kubernetes.',
      url: 'https://example.com/jobs/1',
    }),
  );
  expect(res.status).toBe(201);
  return (await jsonOf(res)).id;
}

describe('profile', () => {
  it('returns the imported JSON Resume byte for byte, in any script', async () => {
    const userId = await cell.createUser();
    const document = SAMPLE_RESUME.replace(
      'Richard Hendriks',
      'Zoë Ångström-Łukasiewicz 李小龍 Пётр',
    ).replace('"basics": {', '"basics": {\n    "x-unknown-field": {"z": 1, "a": [true, null]},');
    const put = await send(userId, 'PUT', '/v1/profile', document);
    expect(put.status).toBe(200);
    expect((await jsonOf(put)).version).toBe(1);
    const get = await send(userId, 'GET', '/v1/profile');
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toMatch(/application\/json/);
    expect(await get.text()).toBe(document);
  });

  it('keeps every update as a numbered version', async () => {
    const userId = await cell.createUser();
    for (const name of ['One', 'Two', 'Three']) {
      expect(
        (await send(userId, 'PUT', '/v1/profile', JSON.stringify({ basics: { name } }))).status,
      ).toBe(200);
    }
    const versions = await jsonOf(await send(userId, 'GET', '/v1/profile/versions'));
    expect(versions.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const v2 = await send(userId, 'GET', '/v1/profile/versions/2');
    expect(JSON.parse(await v2.text())).toEqual({ basics: { name: 'Two' } });
    const latest = await send(userId, 'GET', '/v1/profile');
    expect(latest.headers.get('x-profile-version')).toBe('3');
  });

  it('names each problem of an invalid JSON Resume by its JSON pointer', async () => {
    const userId = await cell.createUser();
    const res = await send(
      userId,
      'PUT',
      '/v1/profile',
      JSON.stringify({
        basics: { email: 'not-an-email', name: 7 },
        work: [{ startDate: 2020, highlights: 'one string' }],
      }),
    );
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe('validation_failed');
    const pointers = body.error.details.problems.map((p: { pointer: string }) => p.pointer);
    // A bad e-mail alone is only a warning (cell/api/profile-import.int.test.ts).
    expect(pointers.sort()).toEqual(['/basics/name', '/work/0/highlights', '/work/0/startDate']);
  });

  it('answers 404 before the first profile', async () => {
    const userId = await cell.createUser();
    expect((await send(userId, 'GET', '/v1/profile')).status).toBe(404);
  });
});

const TEN_MB = `{"basics":{"summary":"${'x'.repeat(10 * 1024 * 1024)}"}}`;

/** method, path, body, content type, expected status, expected code. */
const BAD_INPUTS: [
  string,
  string,
  string,
  string | undefined,
  string | undefined,
  number,
  string,
][] = [
  [
    'a JSON Resume without a name',
    'PUT',
    '/v1/profile',
    '{"basics":{"email":"nope"}}',
    undefined,
    400,
    'validation_failed',
  ],
  [
    'a JSON Resume that is an array',
    'PUT',
    '/v1/profile',
    '[1,2]',
    undefined,
    400,
    'validation_failed',
  ],
  ['a 10 MB body', 'PUT', '/v1/profile', TEN_MB, undefined, 413, 'payload_too_large'],
  [
    'non-JSON where JSON is expected',
    'PUT',
    '/v1/profile',
    'name: Ana',
    'text/plain',
    415,
    'unsupported_media_type',
  ],
  ['malformed JSON', 'PUT', '/v1/profile', '{"basics":', undefined, 400, 'invalid_json'],
  [
    'an unknown provider',
    'POST',
    '/v1/job-sources',
    '{"provider":"workday","board":"acme"}',
    undefined,
    400,
    'validation_failed',
  ],
  [
    'a board token that is a URL',
    'POST',
    '/v1/job-sources',
    '{"provider":"greenhouse","board":"https://evil.example/x"}',
    undefined,
    400,
    'validation_failed',
  ],
  [
    'a board token with a path',
    'POST',
    '/v1/job-sources',
    '{"provider":"lever","board":"acme/../../admin"}',
    undefined,
    400,
    'validation_failed',
  ],
  [
    'a board token with dots',
    'POST',
    '/v1/job-sources',
    '{"provider":"ashby","board":"..%2f"}',
    undefined,
    400,
    'validation_failed',
  ],
  [
    'an empty board token',
    'POST',
    '/v1/job-sources',
    '{"provider":"ashby","board":""}',
    undefined,
    400,
    'validation_failed',
  ],
  [
    'unknown filter fields',
    'POST',
    '/v1/job-sources',
    '{"provider":"ashby","board":"acme","filters":{"salary":1}}',
    undefined,
    400,
    'validation_failed',
  ],
  ['limit=-1', 'GET', '/v1/jobs?limit=-1', undefined, undefined, 400, 'validation_failed'],
  ['limit=0', 'GET', '/v1/jobs?limit=0', undefined, undefined, 400, 'validation_failed'],
  ['limit=101', 'GET', '/v1/jobs?limit=101', undefined, undefined, 400, 'validation_failed'],
  ['limit=abc', 'GET', '/v1/jobs?limit=abc', undefined, undefined, 400, 'validation_failed'],
  [
    'a malformed cursor',
    'GET',
    '/v1/jobs?cursor=not-a-cursor!!',
    undefined,
    undefined,
    400,
    'validation_failed',
  ],
  [
    'a base64url cursor that is not ours',
    'GET',
    `/v1/jobs?cursor=${Buffer.from('{"j":"x"}').toString('base64url')}`,
    undefined,
    undefined,
    400,
    'validation_failed',
  ],
  ['minScore=101', 'GET', '/v1/jobs?minScore=101', undefined, undefined, 400, 'validation_failed'],
  ['remote=maybe', 'GET', '/v1/jobs?remote=maybe', undefined, undefined, 400, 'validation_failed'],
  [
    'an unknown job status filter',
    'GET',
    '/v1/jobs?status=hired',
    undefined,
    undefined,
    400,
    'validation_failed',
  ],
  [
    'an unknown query parameter',
    'GET',
    '/v1/jobs?sort=score',
    undefined,
    undefined,
    400,
    'validation_failed',
  ],
  [
    'a PATCH to an unknown status',
    'PATCH',
    `/v1/jobs/${newId()}`,
    '{"status":"hired"}',
    undefined,
    400,
    'validation_failed',
  ],
  ['a job id that is not a UUID', 'GET', '/v1/jobs/123', undefined, undefined, 404, 'not_found'],
  [
    'a manual job without a title',
    'POST',
    '/v1/jobs',
    '{"company":"Acme","description":"x"}',
    undefined,
    400,
    'validation_failed',
  ],
  [
    'a manual job with a javascript: url',
    'POST',
    '/v1/jobs',
    '{"title":"t","company":"c","description":"d","url":"javascript:alert(1)"}',
    undefined,
    400,
    'validation_failed',
  ],
  [
    'an unknown event type',
    'GET',
    '/v1/events?type=job.hacked',
    undefined,
    undefined,
    400,
    'validation_failed',
  ],
  [
    'an events cursor that is not an id',
    'GET',
    '/v1/events?after=yesterday',
    undefined,
    undefined,
    400,
    'validation_failed',
  ],
  [
    'events limit=1000',
    'GET',
    '/v1/events?limit=1000',
    undefined,
    undefined,
    400,
    'validation_failed',
  ],
  [
    'a profile version that is not a number',
    'GET',
    '/v1/profile/versions/latest',
    undefined,
    undefined,
    400,
    'validation_failed',
  ],
  [
    'deleting a job source id that is not a UUID',
    'DELETE',
    '/v1/job-sources/abc',
    undefined,
    undefined,
    404,
    'not_found',
  ],
];

describe('bad inputs', () => {
  it.each(BAD_INPUTS)(
    'answers %s with its 4xx (%s %s)',
    async (_what, method, path, body, type, status, code) => {
      const userId = await cell.createUser();
      const res = await send(userId, method, path, body, type);
      expect(res.status).toBe(status);
      const json = await jsonOf(res);
      expect(json.error.code).toBe(code);
      expect(json.error.requestId).toBeTruthy();
    },
  );

  it('reports a bad board token with its pointer and reason', async () => {
    const userId = await cell.createUser();
    const res = await send(
      userId,
      'POST',
      '/v1/job-sources',
      '{"provider":"greenhouse","board":"a.b/c"}',
    );
    const problems = (await jsonOf(res)).error.details.problems;
    expect(problems).toEqual([{ pointer: '/board', message: expect.stringMatching(/no URL/) }]);
  });
});

describe('job sources', () => {
  it('follows, lists and unfollows a board, and refuses to follow it twice', async () => {
    const userId = await cell.createUser();
    const body = JSON.stringify({
      provider: 'greenhouse',
      board: `acme-${Date.now()}`,
      filters: { remote: true },
    });
    const created = await send(userId, 'POST', '/v1/job-sources', body);
    expect(created.status).toBe(201);
    const { source } = await jsonOf(created);
    expect((await send(userId, 'POST', '/v1/job-sources', body)).status).toBe(409);
    const list = await jsonOf(await send(userId, 'GET', '/v1/job-sources'));
    expect(list.sources).toEqual([
      expect.objectContaining({ id: source.id, filters: { remote: true } }),
    ]);
    expect((await send(userId, 'DELETE', `/v1/job-sources/${source.id}`)).status).toBe(204);
    expect((await jsonOf(await send(userId, 'GET', '/v1/job-sources'))).sources).toEqual([]);
  });
});

describe('jobs', () => {
  it('pages through jobs with an opaque cursor in a stable order', async () => {
    const userId = await cell.createUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await addManualJob(userId, `Job ${i}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await send(userId, 'GET', `/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = await jsonOf(res);
      seen.push(...page.jobs.map((j: { id: string }) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by text, status and score', async () => {
    const userId = await cell.createUser();
    const a = await addManualJob(userId, 'Rust Engineer');
    await addManualJob(userId, 'Designer');
    await send(userId, 'PATCH', `/v1/jobs/${a}`, '{"status":"saved"}');
    const byText = await jsonOf(await send(userId, 'GET', '/v1/jobs?q=rust'));
    expect(byText.jobs.map((j: { id: string }) => j.id)).toEqual([a]);
    const saved = await jsonOf(await send(userId, 'GET', '/v1/jobs?status=saved'));
    expect(saved.jobs.map((j: { id: string }) => j.id)).toEqual([a]);
    // Unscored jobs never pass a score filter.
    expect((await jsonOf(await send(userId, 'GET', '/v1/jobs?minScore=1'))).jobs).toEqual([]);
  });

  it('returns a job with its analysis, match and sources, and updates its status', async () => {
    const userId = await cell.createUser();
    await send(
      userId,
      'PUT',
      '/v1/profile',
      JSON.stringify({ basics: { name: 'Ana' }, skills: [{ name: 'TypeScript' }] }),
    );
    const id = await addManualJob(userId);
    await cell.services.analysis.analyzeJob(id);
    const detail = await jsonOf(await send(userId, 'GET', `/v1/jobs/${id}`));
    expect(detail.analysis).toMatchObject({ source: 'embedded', yearsMin: 5 });
    expect(detail.analysis.mustHave).toEqual(['TypeScript', 'PostgreSQL']);
    expect(detail.match).toMatchObject({
      matched: ['TypeScript'],
      missing: ['PostgreSQL', 'Kubernetes'],
    });
    expect(detail.match.score).toBe(43); // must-haves weigh 3: 3 / (3 + 3 + 1)
    expect(detail.sources).toEqual([
      expect.objectContaining({ provider: 'manual', status: 'open' }),
    ]);
    const patched = await send(userId, 'PATCH', `/v1/jobs/${id}`, '{"status":"dismissed"}');
    expect(patched.status).toBe(200);
    expect((await jsonOf(patched)).status).toBe('dismissed');
  });
});

describe('isolation between users', () => {
  it("answers 404, not 403, for another user's job and job source", async () => {
    const owner = await cell.createUser();
    const other = await cell.createUser();
    const jobId = await addManualJob(owner);
    const source = await jsonOf(
      await send(
        owner,
        'POST',
        '/v1/job-sources',
        JSON.stringify({ provider: 'lever', board: `iso-${Date.now()}` }),
      ),
    );
    expect((await send(other, 'GET', `/v1/jobs/${jobId}`)).status).toBe(404);
    expect((await send(other, 'PATCH', `/v1/jobs/${jobId}`, '{"status":"saved"}')).status).toBe(
      404,
    );
    expect((await send(other, 'DELETE', `/v1/job-sources/${source.source.id}`)).status).toBe(404);
    expect((await jsonOf(await send(other, 'GET', '/v1/jobs'))).jobs).toEqual([]);
    expect(
      (await jsonOf(await send(other, 'GET', '/v1/events'))).events.map(
        (e: { type: string }) => e.type,
      ),
    ).toEqual(['user.initialized']);
    // The owner still has both.
    expect((await send(owner, 'GET', `/v1/jobs/${jobId}`)).status).toBe(200);
  });
});

describe('events', () => {
  it('reads the log in order, after a cursor and by type', async () => {
    const userId = await cell.createUser();
    await send(userId, 'PUT', '/v1/profile', '{"basics":{"name":"Ana"}}');
    const jobId = await addManualJob(userId);
    await send(userId, 'PATCH', `/v1/jobs/${jobId}`, '{"status":"saved"}');
    const all = await jsonOf(await send(userId, 'GET', '/v1/events'));
    expect(all.events.map((e: { type: string }) => e.type)).toEqual([
      'user.initialized',
      'profile.updated',
      'job.discovered',
      'job.status_changed',
    ]);
    const after = await jsonOf(
      await send(userId, 'GET', `/v1/events?after=${all.events[1].id}&limit=1`),
    );
    expect(after.events.map((e: { type: string }) => e.type)).toEqual(['job.discovered']);
    expect(after.hasMore).toBe(true);
    const typed = await jsonOf(await send(userId, 'GET', '/v1/events?type=job.status_changed'));
    expect(typed.events).toEqual([
      expect.objectContaining({ data: { jobId, from: 'new', to: 'saved' }, userId }),
    ]);
  });

  it('writes each event in the same transaction as the change it records', async () => {
    const userId = await cell.createUser();
    await send(userId, 'PUT', '/v1/profile', '{"basics":{"name":"Ana"}}');
    const jobId = await addManualJob(userId);
    await send(userId, 'PATCH', `/v1/jobs/${jobId}`, '{"status":"saved"}');
    // Rows written by one transaction carry its id in xmin.
    const [profile] = await cell.db
      .sql`select xmin::text as x from profile_versions where user_id = ${userId}`;
    const [link] = await cell.db.sql`
      select xmin::text as x from jobs where id = ${jobId}`;
    const events = await cell.db.sql<{ type: string; x: string }[]>`
      select type, xmin::text as x from events where user_id = ${userId}`;
    const xminOf = (type: string) => events.find((e) => e.type === type)?.x;
    expect(xminOf('profile.updated')).toBe(profile?.x);
    expect(xminOf('job.discovered')).toBe(link?.x);
    const [status] = await cell.db.sql`
      select xmin::text as x from user_jobs where user_id = ${userId} and job_id = ${jobId}`;
    expect(xminOf('job.status_changed')).toBe(status?.x);
  });

  it('writes no event when the change fails', async () => {
    const userId = await cell.createUser();
    await send(userId, 'PUT', '/v1/profile', '{"basics":{"email":"bad"}}');
    const events = await cell.db.sql`select type from events where user_id = ${userId}`;
    expect(events.map((e) => e.type)).toEqual(['user.initialized']);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-user limit, per user', async () => {
    const app = createApp(cell.services, {
      routerSecret: TEST_ROUTER_SECRET,
      signatureMaxAgeMs: 30_000,
      bodyLimitBytes: 1_048_576,
      rateLimitPerMinute: 3,
    });
    const userId = await cell.createUser();
    const other = await cell.createUser();
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await app.request('/v1/jobs', { headers: cell.signedHeaders(userId) });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const retryAfter = Number(last?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await jsonOf(last as Response)).error.code).toBe('rate_limited');
    expect((await app.request('/v1/jobs', { headers: cell.signedHeaders(other) })).status).toBe(
      200,
    );
  });
});
