/** `POST /v1/tasks/{analyze-job,score-match,tailor-resume}`: validate, run, answer with meta. */
import { Hono } from 'hono';
import { taskSchemas } from '../../../lib/ai/contract.ts';
import { readJsonBody } from '../../../lib/validation.ts';
import type { AiEnv } from '../app.ts';
import { requestParty } from './party.ts';

function serverTiming(providerMs: number, batchWaitMs: number): string {
  return `provider;dur=${providerMs.toFixed(2)}, batch;dur=${batchWaitMs.toFixed(2)}`;
}

export const taskRoutes = new Hono<AiEnv>()
  .post('/analyze-job', async (c) => {
    const ctx = requestParty(c);
    const input = await readJsonBody(c, taskSchemas['analyze-job'].request);
    const result = await c.get('services').optimizer.run('analyze-job', input, ctx);
    c.header('server-timing', serverTiming(result.providerMs, result.batchWaitMs));
    return c.json({ analysis: result.output, meta: result.meta });
  })
  .post('/score-match', async (c) => {
    const ctx = requestParty(c);
    const input = await readJsonBody(c, taskSchemas['score-match'].request);
    const result = await c.get('services').optimizer.run('score-match', input, ctx);
    c.header('server-timing', serverTiming(result.providerMs, result.batchWaitMs));
    return c.json({ match: result.output, meta: result.meta });
  })
  .post('/tailor-resume', async (c) => {
    const ctx = requestParty(c);
    const input = await readJsonBody(c, taskSchemas['tailor-resume'].request);
    const result = await c.get('services').optimizer.run('tailor-resume', input, ctx);
    c.header('server-timing', serverTiming(result.providerMs, result.batchWaitMs));
    return c.json({ variant: result.output, strategy: input.strategy, meta: result.meta });
  });
