/**
 * `PUT /v1/profile` takes real resumes: the public corpus, v0.0.x field names,
 * empty strings, partial dates and unknown fields import with warnings; only
 * what cannot be a resume is refused; bad input is a clear 4xx, never a 5xx.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCell, type TestCell } from '../../test/harness/cell.ts';
import { jsonOf } from '../../test/harness/http.ts';
import { RESUME_LIMITS } from '../domain/profile/json-resume.ts';

const CORPUS = new URL('../../test/fixtures/jsonresume-corpus/', import.meta.url);
const corpusFiles = readdirSync(CORPUS).filter((name) => name.endsWith('.json'));
const corpusText = (name: string) => readFileSync(new URL(name, CORPUS), 'utf8');

let cell: TestCell;
beforeAll(async () => {
  // The fuzz test sends hundreds of imports for one user.
  cell = await createTestCell({ rateLimitPerMinute: 1_000_000 });
});
afterAll(() => cell.close());

function put(userId: string, body: string | Uint8Array, type = 'application/json') {
  return cell.app.request('/v1/profile', {
    method: 'PUT',
    headers: cell.signedHeaders(userId, { 'content-type': type }),
    body,
  });
}

interface Finding {
  pointer: string;
  message: string;
}

async function imported(body: unknown): Promise<{ warnings: Finding[]; version: number }> {
  const res = await put(await cell.createUser(), JSON.stringify(body));
  expect(res.status).toBe(200);
  return jsonOf(res);
}

async function refused(body: string): Promise<Finding[]> {
  const res = await put(await cell.createUser(), body);
  expect(res.status).toBe(400);
  const json = await jsonOf(res);
  expect(json.error.code).toBe('validation_failed');
  expect(json.error.requestId).toBe(res.headers.get('x-request-id'));
  return json.error.details.problems;
}

const pointers = (findings: Finding[]) => findings.map((f) => f.pointer);

describe('profile import: happy', () => {
  it('holds at least 30 public sample resumes', () => {
    expect(corpusFiles.length).toBeGreaterThanOrEqual(30);
  });

  it.each(corpusFiles)('imports %s and exports it byte for byte', async (name) => {
    const userId = await cell.createUser();
    const text = corpusText(name);
    const res = await put(userId, text);
    const body = await jsonOf(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(Array.isArray(body.warnings)).toBe(true);
    expect(body.bytes).toBe(Buffer.byteLength(text));
    const get = await cell.app.request('/v1/profile', { headers: cell.signedHeaders(userId) });
    expect(await get.text()).toBe(text);
  });

  it('accepts the official sample whose profile has "url": "", warning at that pointer', async () => {
    const res = await put(
      await cell.createUser(),
      corpusText('resume-schema-1.0.1.sample.resume.json'),
    );
    expect(res.status).toBe(200);
    const { warnings } = await jsonOf(res);
    expect(warnings).toContainEqual({
      pointer: '/basics/profiles/0/url',
      message: 'is empty; treated as absent',
    });
    expect(warnings).toContainEqual({
      pointer: '/projects/0/url',
      message: 'is not an absolute URI; kept as written',
    });
  });

  it('accepts v0.0.x field names, with a warning naming the v1.0.0 field', async () => {
    const { warnings } = await imported({
      basics: { name: 'Ada Lovelace', website: 'https://ada.example', picture: 'a.png' },
      work: [{ company: 'Analytical Engines', website: 'https://ae.example', position: 'Lead' }],
      education: [{ institution: 'Home', gpa: '4.0' }],
      volunteer: [{ organization: 'Society', website: 'https://s.example' }],
      publications: [{ name: 'Notes', website: 'https://n.example' }],
    });
    expect(warnings).toEqual([
      { pointer: '/basics/website', message: 'is the v0.0.x name of `url`; kept as written' },
      { pointer: '/basics/picture', message: 'is the v0.0.x name of `image`; kept as written' },
      { pointer: '/work/0/company', message: 'is the v0.0.x name of `name`; kept as written' },
      { pointer: '/work/0/website', message: 'is the v0.0.x name of `url`; kept as written' },
      { pointer: '/volunteer/0/website', message: 'is the v0.0.x name of `url`; kept as written' },
      { pointer: '/education/0/gpa', message: 'is the v0.0.x name of `score`; kept as written' },
      {
        pointer: '/publications/0/website',
        message: 'is the v0.0.x name of `url`; kept as written',
      },
    ]);
  });

  it('accepts partial dates and unknown fields without a warning', async () => {
    const { warnings } = await imported({
      basics: { name: 'Ada', 'x-pronouns': 'she/her', custom: { deep: [{ any: true }] } },
      work: [{ name: 'A', startDate: '2014', endDate: '2014-03' }],
      education: [{ institution: 'B', startDate: '2010-09-01' }],
      sideQuests: [{ title: 'anything' }],
    });
    expect(warnings).toEqual([]);
  });

  it('treats empty strings and null as absent, with a warning for each', async () => {
    const { warnings } = await imported({
      basics: { name: 'Ada', email: '', url: '', label: null, location: { city: ' ' } },
      work: [{ name: 'A', highlights: ['', 'Shipped'], endDate: '' }],
      skills: null,
    });
    expect(warnings).toEqual([
      { pointer: '/basics/email', message: 'is empty; treated as absent' },
      { pointer: '/basics/url', message: 'is empty; treated as absent' },
      { pointer: '/basics/label', message: 'is null; treated as absent' },
      { pointer: '/basics/location/city', message: 'is empty; treated as absent' },
      { pointer: '/work/0/highlights/0', message: 'is empty; treated as absent' },
      { pointer: '/work/0/endDate', message: 'is empty; treated as absent' },
      { pointer: '/skills', message: 'is null; treated as absent' },
    ]);
  });

  it('keeps a date, URI or e-mail it cannot read, with a warning', async () => {
    const { warnings } = await imported({
      basics: { name: 'Ada', email: 'ada at example', url: 'ada.example.com' },
      work: [{ name: 'A', startDate: 'March 2014', endDate: 'Present' }],
    });
    expect(warnings).toEqual([
      { pointer: '/basics/email', message: 'is not an e-mail address; kept as written' },
      { pointer: '/basics/url', message: 'is not an absolute URI; kept as written' },
      {
        pointer: '/work/0/startDate',
        message: 'is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD; kept as written',
      },
      {
        pointer: '/work/0/endDate',
        message: 'is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD; kept as written',
      },
    ]);
  });

  it('accepts the oldest drafts, whose name is in bio.firstName and bio.lastName', async () => {
    const { warnings } = await imported({ bio: { firstName: 'Ada', lastName: 'Lovelace' } });
    expect(warnings).toEqual([
      { pointer: '/bio', message: 'is the pre-v0.0.12 form of `basics`; kept as written' },
    ]);
  });

  it(`lists at most ${RESUME_LIMITS.maxWarnings} warnings and counts the rest`, async () => {
    const res = await put(
      await cell.createUser(),
      JSON.stringify({
        basics: { name: 'Ada' },
        work: Array.from({ length: 250 }, () => ({ name: '' })),
      }),
    );
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body.warnings).toHaveLength(RESUME_LIMITS.maxWarnings);
    expect(body.warningsOmitted).toBe(250 - RESUME_LIMITS.maxWarnings);
  });
});

describe('profile import: refused', () => {
  it.each([
    ['an array', '[1,2]', ''],
    ['a string', '"Ada Lovelace"', ''],
    ['a number', '42', ''],
    ['null', 'null', ''],
  ])('refuses a document that is %s', async (_what, body, pointer) => {
    expect(await refused(body)).toEqual([{ pointer, message: 'must be a JSON object' }]);
  });

  it.each([
    ['no basics', '{"work":[{"name":"Acme"}]}', 'is missing: a resume needs a name'],
    [
      'basics without a name',
      '{"basics":{"email":"a@b.example"}}',
      'is missing: a resume needs a name',
    ],
    ['a null name', '{"basics":{"name":null}}', 'is missing: a resume needs a name'],
    ['an empty name', '{"basics":{"name":""}}', 'is empty: a resume needs a name'],
    ['a blank name', '{"basics":{"name":"  \\t "}}', 'is empty: a resume needs a name'],
    ['an empty object', '{}', 'is missing: a resume needs a name'],
  ])('refuses a resume with %s at /basics/name', async (_what, body, message) => {
    expect(await refused(body)).toEqual([{ pointer: '/basics/name', message }]);
  });

  it('refuses the empty template of the corpus: it has no name', async () => {
    const problems = await refused(corpusText('rejected/fresh-test-resumes-0.9.2.jrs-empty.json'));
    expect(problems).toEqual([
      { pointer: '/basics/name', message: 'is empty: a resume needs a name' },
    ]);
  });

  it('refuses wrong types, naming each by its JSON pointer', async () => {
    const problems = await refused(
      JSON.stringify({
        basics: { name: 7, profiles: { network: 'x' } },
        work: [{ company: 5, highlights: 'one string', startDate: 2014 }],
        skills: {},
        education: ['Stanford'],
      }),
    );
    expect(pointers(problems)).toEqual(
      expect.arrayContaining([
        '/basics/name',
        '/basics/profiles',
        '/work/0/highlights',
        '/work/0/startDate',
        '/work/0/company',
        '/skills',
        '/education/0',
      ]),
    );
    expect(problems.find((p) => p.pointer === '/basics/name')?.message).toBe('must be string');
  });
});

describe('profile import: bad input is a clear 4xx', () => {
  it('answers 413 to a 10 MB resume', async () => {
    const res = await put(
      await cell.createUser(),
      `{"basics":{"name":"Ada","summary":"${'x'.repeat(10 * 1024 * 1024)}"}}`,
    );
    expect(res.status).toBe(413);
    expect((await jsonOf(res)).error.code).toBe('payload_too_large');
  });

  it('refuses a string of 100,000 characters in one field', async () => {
    const problems = await refused(
      JSON.stringify({ basics: { name: 'Ada', summary: 'é'.repeat(100_000) } }),
    );
    expect(problems).toEqual([
      {
        pointer: '/basics/summary',
        message: `is longer than ${RESUME_LIMITS.maxStringLength} characters`,
      },
    ]);
  });

  it('accepts a string of exactly the limit, counted in characters not UTF-16 units', async () => {
    await imported({
      basics: { name: 'Ada', summary: '😀'.repeat(RESUME_LIMITS.maxStringLength) },
    });
  });

  it('refuses deeply nested unknown fields quickly, at the first level too deep', async () => {
    const depth = 200_000;
    const started = performance.now();
    const problems = await refused(
      `{"basics":{"name":"Ada","x":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    const expected = `/basics/x${'/0'.repeat(RESUME_LIMITS.maxDepth - 2)}`;
    expect(problems).toEqual([
      { pointer: expected, message: `is nested deeper than ${RESUME_LIMITS.maxDepth} levels` },
    ]);
  });

  it('accepts unknown fields nested up to the limit', async () => {
    const nested = `${'['.repeat(RESUME_LIMITS.maxDepth - 2)}${']'.repeat(RESUME_LIMITS.maxDepth - 2)}`;
    const res = await put(await cell.createUser(), `{"basics":{"name":"Ada","x":${nested}}}`);
    expect(res.status).toBe(200);
  });

  it.each([
    ['a high surrogate', '\\ud800'],
    ['a low surrogate', '\\udfff'],
    ['a reversed pair', '\\udc00\\ud800'],
  ])('refuses a lone surrogate: %s', async (_what, escaped) => {
    const problems = await refused(`{"basics":{"name":"Ada ${escaped} Lovelace"}}`);
    expect(pointers(problems)).toEqual(['/basics/name']);
    expect(problems[0]?.message).toMatch(/^contains a lone surrogate U\+D[89A-F][0-9A-F]{2}$/);
  });

  it('accepts a surrogate pair written as escapes', async () => {
    await imported(JSON.parse('{"basics":{"name":"Ada \\ud83d\\ude00"}}'));
  });

  it.each([
    ['NUL', '\\u0000', 'U+0000'],
    ['BEL', '\\u0007', 'U+0007'],
    ['ESC', '\\u001b', 'U+001B'],
    ['DEL', '\\u007f', 'U+007F'],
    ['a C1 control', '\\u0085', 'U+0085'],
  ])('refuses the control character %s', async (_what, escaped, code) => {
    const problems = await refused(
      `{"basics":{"name":"Ada"},"work":[{"highlights":["a${escaped}b"]}]}`,
    );
    expect(problems).toEqual([
      { pointer: '/work/0/highlights/0', message: `contains the control character ${code}` },
    ]);
  });

  it('keeps tabs and line breaks, which real summaries use', async () => {
    await imported({ basics: { name: 'Ada', summary: 'One\n\tTwo\r\nThree' } });
  });

  it('refuses a control character or an over-long name in a property name', async () => {
    const problems = await refused(
      `{"basics":{"name":"Ada","a\\u0001b":1,"${'k'.repeat(RESUME_LIMITS.maxKeyLength + 1)}":1}}`,
    );
    expect(problems).toEqual([
      {
        pointer: '/basics/a\u0001b',
        message: 'property name contains the control character U+0001',
      },
      {
        pointer: `/basics/${'k'.repeat(RESUME_LIMITS.maxKeyLength + 1)}`,
        message: `property name is longer than ${RESUME_LIMITS.maxKeyLength} characters`,
      },
    ]);
  });

  it('refuses a body that is not UTF-8 rather than storing replacement characters', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"basics":{"name":"Ada '),
      Buffer.from([0xed, 0xa0, 0x80]), // a surrogate encoded as UTF-8 (CESU-8): not UTF-8
      Buffer.from('"}}'),
    ]);
    const res = await put(await cell.createUser(), new Uint8Array(bytes));
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toMatchObject({
      code: 'invalid_json',
      message: 'Request body is not valid UTF-8',
    });
  });
});

/** Any Unicode code point, lone surrogates and controls included. */
const anyCodePoint = fc
  .integer({ min: 0, max: 0x10ffff })
  .map((code) => String.fromCodePoint(code));
const anyText = fc.oneof(
  fc.string({ unit: anyCodePoint, maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '2014', '2014-03', 'https://example.com', 'a@b.example'),
);
/** A value where the schema expects text: mostly text, sometimes the wrong type or null. */
const field = fc.oneof(
  { weight: 8, arbitrary: anyText },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 7, true, [], {}) },
);
const entry = fc.dictionary(
  fc.constantFrom(
    'name',
    'company',
    'position',
    'url',
    'website',
    'startDate',
    'endDate',
    'summary',
  ),
  field,
);
const resumeLike = fc.record(
  {
    basics: fc.oneof(
      fc.record(
        { name: field, email: field, url: field, label: field, summary: field },
        { requiredKeys: [] },
      ),
      fc.constantFrom<unknown>(null, 'Ada', []),
    ),
    work: fc.oneof(fc.array(entry, { maxLength: 3 }), fc.constantFrom<unknown>(null, {})),
    skills: fc.array(
      fc.record({ name: field, keywords: fc.array(field, { maxLength: 3 }) }, { requiredKeys: [] }),
      { maxLength: 3 },
    ),
    extra: fc.jsonValue({ maxDepth: 4 }),
    [String.fromCodePoint(0x1f600)]: anyText,
  },
  { requiredKeys: [] },
);

describe('profile import: fuzz', () => {
  it('never answers 5xx to a random resume, and exports what it accepts byte for byte', async () => {
    const userId = await cell.createUser();
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(resumeLike, async (resume) => {
        const text = JSON.stringify(resume);
        const res = await put(userId, text);
        statuses.add(res.status);
        const body = await jsonOf(res);
        if (res.status === 200) {
          const get = await cell.app.request('/v1/profile', {
            headers: cell.signedHeaders(userId),
          });
          expect(await get.text()).toBe(text);
        } else {
          expect(res.status).toBe(400);
          expect(body.error.code).toBe('validation_failed');
          expect(body.error.details.problems.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300, seed: 1414 },
    );
    // Both outcomes occur, so the property checked something on each side.
    expect([...statuses].sort()).toEqual([200, 400]);
  }, 120_000);
});
