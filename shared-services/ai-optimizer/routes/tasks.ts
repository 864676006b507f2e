/** `POST /v1/tasks/{analyze-job,score-match,tailor-resume,cover-letter}`: validate, run, answer with meta. */
import { type Context, Hono } from 'hono';
import { type TaskInputs, type TaskName, taskSchemas } from '../../../lib/ai/contract.ts';
import { readJson, validate } from '../../../lib/validation.ts';
import type { AiEnv } from '../app.ts';
import type { TaskResult } from '../domain/optimizer.ts';
import { requestParty } from './party.ts';

/** Reads, validates and runs one task, recording each stage on the request's timer. */
async function runTask<T extends TaskName>(c: Context<AiEnv>, task: T) {
  const timer = c.get('timer');
  // A job is analyzed once per cell for every user who follows its board: `x-user-id` is optional
  // there (cell-wide work, charged to the cell). Every other task is for one user.
  const ctx = { ...requestParty(c, { userRequired: task !== 'analyze-job' }), timer };
  let mark = performance.now();
  const body = await readJson(c);
  mark = timer.lap('parse', mark);
  const input = validate(taskSchemas[task].request, body) as TaskInputs[T];
  timer.lap('validate', mark);
  const result: TaskResult<T> = await c.get('services').optimizer.run(task, input, ctx);
  return { input, result };
}

/** Serializes the answer; the time it takes is the `respond` stage. */
function answer(c: Context<AiEnv>, body: object): Response {
  const mark = performance.now();
  const response = c.json(body);
  c.get('timer').lap('respond', mark);
  return response;
}

export const taskRoutes = new Hono<AiEnv>()
  .post('/analyze-job', async (c) => {
    const { result } = await runTask(c, 'analyze-job');
    return answer(c, { analysis: result.output, meta: result.meta });
  })
  .post('/score-match', async (c) => {
    const { result } = await runTask(c, 'score-match');
    return answer(c, { match: result.output, meta: result.meta });
  })
  .post('/tailor-resume', async (c) => {
    const { input, result } = await runTask(c, 'tailor-resume');
    const { variant, citations } = result.output;
    return answer(c, { variant, citations, strategy: input.strategy, meta: result.meta });
  })
  .post('/cover-letter', async (c) => {
    const { result } = await runTask(c, 'cover-letter');
    return answer(c, { letter: result.output, meta: result.meta });
  });
