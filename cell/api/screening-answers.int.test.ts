/** `GET`/`PUT /v1/profile/answers` against real Postgres: stored per user, validated strictly. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCell, type TestCell } from '../../test/harness/cell.ts';

let cell: TestCell;
beforeAll(async () => {
  cell = await createTestCell({ cellId: 'cell-answers' });
});
afterAll(() => cell.close());

const call = (userId: string, method: string, body?: unknown, raw?: string) =>
  cell.app.request('/v1/profile/answers', {
    method,
    headers: cell.signedHeaders(
      userId,
      body === undefined && raw === undefined ? {} : { 'content-type': 'application/json' },
    ),
    ...(raw !== undefined
      ? { body: raw }
      : body === undefined
        ? {}
        : { body: JSON.stringify(body) }),
  });

describe('screening answers', () => {
  it('are empty until stored, then replaced as a whole, per user', async () => {
    const ada = await cell.createUser();
    const bo = await cell.createUser();
    const empty = await call(ada, 'GET');
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ custom: [], updatedAt: null });
    const answers = {
      workAuthorisation: 'Yes, EU citizen',
      noticePeriod: '4 weeks',
      salaryExpectation: '€85,000 a year',
      relocation: 'No, remote only',
      custom: [{ question: 'Why do you want to work here?', answer: 'The billing platform.' }],
    };
    const put = await call(ada, 'PUT', answers);
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ ...answers, updatedAt: expect.any(String) });
    expect(await (await call(ada, 'GET')).json()).toMatchObject(answers);
    const replaced = await call(ada, 'PUT', { noticePeriod: '2 weeks' });
    expect(await replaced.json()).toMatchObject({ noticePeriod: '2 weeks', custom: [] });
    const again = (await (await call(ada, 'GET')).json()) as Record<string, unknown>;
    expect(again.workAuthorisation).toBeUndefined();
    expect(await (await call(bo, 'GET')).json()).toEqual({ custom: [], updatedAt: null });
  });

  it('refuses bad input with 400 in the one error format', async () => {
    const userId = await cell.createUser();
    for (const body of [
      { noticePeriod: '' },
      { favouriteColour: 'blue' },
      { custom: [{ question: 'Why?', answer: 'x'.repeat(2_001) }] },
      {
        custom: Array.from({ length: 51 }, (_, i) => ({ question: `Q number ${i}`, answer: 'a' })),
      },
      [],
    ]) {
      const res = await call(userId, 'PUT', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'validation_failed',
      );
    }
    const broken = await call(userId, 'PUT', undefined, '{"noticePeriod":');
    expect(broken.status).toBe(400);
  });
});
