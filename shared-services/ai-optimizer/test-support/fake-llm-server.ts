/**
 * Local fake LLM servers for tests and benchmarks: real HTTP servers speaking
 * the wire formats of OpenAI Chat Completions (`POST /v1/chat/completions`) and
 * Anthropic Messages (`POST /v1/messages`). By default they answer correctly
 * (computed with the embedded analyzer from the JSON input in the prompt); a
 * script can make any call answer 429 with Retry-After, 500, malformed JSON,
 * slowly, or with invented content.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobInput, TaskInputs, TaskName } from '../../../lib/ai/contract.ts';
import { analyzeJob } from '../../../lib/ai/embedded/index.ts';
import { runEmbedded } from '../domain/run-embedded.ts';

export type FakeBehaviour =
  | { type: 'ok'; delayMs?: number }
  | { type: 'status'; status: number; retryAfter?: string }
  | { type: 'malformed' }
  | { type: 'slow'; delayMs: number }
  | { type: 'invent' }
  /** Answers exactly this text. */
  | { type: 'text'; text: string };

export interface FakeCall {
  path: string;
  model: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeLlmServer {
  kind: 'openai' | 'anthropic';
  /** The `baseURL` to give the SDK. */
  baseURL: string;
  calls: FakeCall[];
  /** Decides each call's behaviour; default: answer correctly. */
  behave: (call: FakeCall, index: number) => FakeBehaviour;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The correct answer to the first user message, which carries the task input as JSON. */
export function answerFor(firstUserMessage: string): string {
  const request = JSON.parse(firstUserMessage) as
    | { task: 'analyze-job-batch'; jobs: JobInput[] }
    | { task: TaskName; input: TaskInputs[TaskName] };
  if (request.task === 'analyze-job-batch')
    return JSON.stringify({ analyses: request.jobs.map((job) => analyzeJob(job)) });
  return JSON.stringify(runEmbedded(request.task, request.input));
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((part) => (part as { text?: string }).text ?? '').join('');
  return '';
}

const approxTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

export async function startFakeLlmServer(kind: 'openai' | 'anthropic'): Promise<FakeLlmServer> {
  const fake: FakeLlmServer = {
    kind,
    baseURL: '',
    calls: [],
    behave: () => ({ type: 'ok' }),
    close: async () => {},
  };
  const expectedPath = kind === 'openai' ? '/v1/chat/completions' : '/v1/messages';

  const sendError = (res: ServerResponse, status: number, headers: Record<string, string> = {}) => {
    const body =
      kind === 'openai'
        ? {
            error: {
              message: `fake error ${status}`,
              type: status === 429 ? 'rate_limit_exceeded' : 'server_error',
              param: null,
              code: null,
            },
          }
        : {
            type: 'error',
            error: {
              type: status === 429 ? 'rate_limit_error' : 'api_error',
              message: `fake error ${status}`,
            },
          };
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (req.method !== 'POST' || req.url?.split('?')[0] !== expectedPath) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    const call: FakeCall = { path: expectedPath, model: String(body.model), body, at: Date.now() };
    const index = fake.calls.push(call) - 1;
    const behaviour = fake.behave(call, index);
    if (behaviour.type === 'status') {
      sendError(
        res,
        behaviour.status,
        behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {},
      );
      return;
    }
    const delay =
      behaviour.type === 'slow' || behaviour.type === 'ok' ? (behaviour.delayMs ?? 0) : 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed) return;
    const messages = (body.messages ?? []) as { role: string; content: unknown }[];
    const firstUser = textOf(messages.find((m) => m.role === 'user')?.content);
    let text: string;
    if (behaviour.type === 'malformed') text = 'Sure! Here is the analysis: {"title": "oops",';
    else if (behaviour.type === 'invent') {
      const answer = JSON.parse(answerFor(firstUser)) as Record<string, unknown>;
      text =
        'variant' in answer
          ? JSON.stringify({
              ...answer,
              variant: { ...(answer.variant as object), basics: { name: 'Invented Person' } },
            })
          : JSON.stringify({ ...answer, basics: { name: 'Invented Person' } });
    } else if (behaviour.type === 'text') text = behaviour.text;
    else text = answerFor(firstUser);
    const promptText = `${textOf(body.system)}${messages.map((m) => textOf(m.content)).join('')}`;
    const usageIn = approxTokens(promptText);
    const usageOut = approxTokens(text);
    res.writeHead(200, { 'content-type': 'application/json' });
    if (kind === 'openai') {
      res.end(
        JSON.stringify({
          id: `chatcmpl-${index}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: call.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: text, refusal: null },
              logprobs: null,
              finish_reason: 'stop',
            },
          ],
          usage: {
            prompt_tokens: usageIn,
            completion_tokens: usageOut,
            total_tokens: usageIn + usageOut,
          },
        }),
      );
    } else {
      res.end(
        JSON.stringify({
          id: `msg_${index}`,
          type: 'message',
          role: 'assistant',
          model: call.model,
          content: [{ type: 'text', text }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: usageIn, output_tokens: usageOut },
        }),
      );
    }
  });
  // Long enough for the SDKs to reuse connections: undici drops a socket whose
  // advertised keep-alive is within 1 s of expiring, so 1 s meant a new TCP
  // connection per call. close() ends idle connections itself.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.baseURL = kind === 'openai' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
