import { describe, expect, it } from 'vitest';
import { networkProblem, problemFromResponse } from './problem.ts';

const errorBody = (code: string, message: string, details?: unknown) => ({
  error: { code, message, requestId: 'req-1', details },
});

describe('problemFromResponse', () => {
  it("keeps the server's message, request id and each problem's pointer", () => {
    const problem = problemFromResponse(
      new Response(null, { status: 400 }),
      errorBody('validation_failed', 'Invalid body', {
        problems: [{ pointer: '/email', message: 'Invalid email address' }],
      }),
    );
    expect(problem.message).toBe('Invalid body');
    expect(problem.requestId).toBe('req-1');
    expect(problem.status).toBe(400);
    expect(problem.problems).toEqual([{ pointer: '/email', message: 'Invalid email address' }]);
  });

  it("places a refused edit's violations at their text, with the rule and the words", () => {
    const problem = problemFromResponse(
      new Response(null, { status: 422 }),
      errorBody('verification_failed', 'The variant invents facts', {
        violations: [
          { pointer: '/work/0/highlights/1', kind: 'number', value: '937%', reason: 'new number' },
          { nonsense: true },
        ],
      }),
    );
    expect(problem.problems).toEqual([
      { pointer: '/work/0/highlights/1', message: 'new number ("937%")' },
    ]);
  });

  it('says when to retry a 429 and explains a 503 cell_unavailable in plain words', () => {
    const limited = problemFromResponse(
      new Response(null, { status: 429, headers: { 'retry-after': '7' } }),
      errorBody('rate_limited', 'Too many requests'),
    );
    expect(limited.retryAfterSeconds).toBe(7);
    expect(limited.message).toContain('Retry in 7 s.');
    const down = problemFromResponse(
      new Response(null, { status: 503, headers: { 'retry-after': '5' } }),
      errorBody('cell_unavailable', 'Cell cell-2 is unavailable'),
    );
    expect(down.message).toContain('Your data is temporarily unavailable');
  });

  it('describes an answer that is not the error format by its status, with the header request id', () => {
    const problem = problemFromResponse(
      new Response(null, {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'x-request-id': 'r9' },
      }),
      '<html>proxy error</html>',
    );
    expect(problem.message).toBe('The server answered 502 Bad Gateway');
    expect(problem.requestId).toBe('r9');
  });

  it('turns a failed fetch into a clear network problem', () => {
    expect(networkProblem(new TypeError('Failed to fetch')).message).toBe(
      'Cannot reach the server: Failed to fetch',
    );
  });
});
