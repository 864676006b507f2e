import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GreenhouseQuestions } from './greenhouse-questions.ts';

let server: Server;
let base = '';
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/v1/boards/acme/jobs/127817?questions=true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 127817,
          title: 'Engineer',
          questions: [
            {
              label: 'First Name',
              required: true,
              fields: [{ name: 'first_name', type: 'input_text', values: [] }],
            },
            {
              label: 'Will you relocate?',
              required: null,
              description: null,
              fields: [
                {
                  name: 'question_9',
                  type: 'multi_value_single_select',
                  values: [
                    { label: 'Yes', value: 1 },
                    { label: 'No', value: 0 },
                  ],
                },
              ],
            },
          ],
        }),
      );
      return;
    }
    if (req.url?.startsWith('/v1/boards/broken/')) {
      res.writeHead(500);
      res.end('oops');
      return;
    }
    res.writeHead(404);
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Greenhouse form questions', () => {
  it('reads a job’s questions with questions=true', async () => {
    const source = new GreenhouseQuestions({ baseUrl: base });
    const questions = await source.questions({
      provider: 'greenhouse',
      boardToken: 'acme',
      externalId: '127817',
      title: 'Engineer',
      company: 'Acme',
    });
    expect(questions).toEqual([
      {
        label: 'First Name',
        required: true,
        fields: [{ name: 'first_name', type: 'input_text', values: [] }],
      },
      {
        label: 'Will you relocate?',
        required: false,
        fields: [
          {
            name: 'question_9',
            type: 'multi_value_single_select',
            values: [
              { label: 'Yes', value: 1 },
              { label: 'No', value: 0 },
            ],
          },
        ],
      },
    ]);
  });

  it('has none for other boards or unknown jobs, and throws on a failing board', async () => {
    const source = new GreenhouseQuestions({ baseUrl: base });
    const before = seen.length;
    expect(
      await source.questions({
        provider: 'lever',
        boardToken: 'acme',
        externalId: '1',
        title: '',
        company: '',
      }),
    ).toEqual([]);
    expect(seen.length).toBe(before);
    expect(
      await source.questions({
        provider: 'greenhouse',
        boardToken: 'acme',
        externalId: '2',
        title: '',
        company: '',
      }),
    ).toEqual([]);
    await expect(
      source.questions({
        provider: 'greenhouse',
        boardToken: 'broken',
        externalId: '1',
        title: '',
        company: '',
      }),
    ).rejects.toThrow(/500/);
  });
});
