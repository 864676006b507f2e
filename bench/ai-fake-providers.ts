/**
 * Child process of the AI optimizer benchmark: the fake OpenAI and Anthropic
 * servers, so their CPU (computing each answer with the embedded analyzer,
 * JSON) runs apart from the service being measured. Started with
 * `fork(this file, [delayMs])`; talks to its parent over IPC:
 * it sends `{ type: 'ready', openai, anthropic }` (base URLs), answers
 * `{ type: 'calls' }` with `{ type: 'calls', count }` and `{ type: 'reset' }`
 * with `{ type: 'reset' }`.
 */
import { startFakeLlmServer } from '../shared-services/ai-optimizer/test-support/fake-llm-server.ts';

export type ParentMessage = { type: 'calls' } | { type: 'reset' };
export type ChildMessage =
  | { type: 'ready'; openai: string; anthropic: string }
  | { type: 'calls'; count: number }
  | { type: 'reset' };

const send = (message: ChildMessage) => process.send?.(message);

const delayMs = Number(process.argv[2] ?? 3);
const [openai, anthropic] = await Promise.all([
  startFakeLlmServer('openai'),
  startFakeLlmServer('anthropic'),
]);
for (const fake of [openai, anthropic]) fake.behave = () => ({ type: 'ok', delayMs });

process.on('message', (message: ParentMessage) => {
  if (message.type === 'calls')
    send({ type: 'calls', count: openai.calls.length + anthropic.calls.length });
  else {
    openai.calls.length = 0;
    anthropic.calls.length = 0;
    send({ type: 'reset' });
  }
});
process.on('disconnect', () => {
  void Promise.all([openai.close(), anthropic.close()]).then(() => process.exit(0));
});
send({ type: 'ready', openai: openai.baseURL, anthropic: anthropic.baseURL });
