/**
 * Screening answers in the workflow, against real Postgres, Redis, workers,
 * the PDF service, a fake public Greenhouse board (the form questions, read by the
 * cell's default reader) and a fake Greenhouse application endpoint: the job's form
 * questions are answered from the user's stored answers, then from grounded
 * profile facts, and sent with the application; an auto application with a
 * required question nobody can answer waits for review instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGreenhouse } from '../../../test/fakes/greenhouse-board.ts';
import type { FakeApplicationApi } from '../../../test/fakes/http-fake.ts';
import {
  type FakeJobBoards,
  startFakeJobBoards,
  uniqueBoard,
} from '../../../test/fakes/job-boards/fake-job-boards.ts';
import type { Json } from '../../../test/harness/http.ts';
import {
  createWorkflowCell,
  type PdfService,
  startPdfService,
  type WorkflowCell,
} from '../../../test/harness/workflow.ts';
import type { FormQuestion } from './screening.ts';

const QUESTIONS: FormQuestion[] = [
  { label: 'First Name', required: true, fields: [{ name: 'first_name', type: 'input_text' }] },
  {
    label: 'Are you legally authorized to work in Portugal?',
    required: true,
    fields: [
      {
        name: 'question_1',
        type: 'multi_value_single_select',
        values: [
          { label: 'Yes', value: 1 },
          { label: 'No', value: 0 },
        ],
      },
    ],
  },
  {
    label: 'What is your notice period?',
    required: true,
    fields: [{ name: 'question_2', type: 'input_text' }],
  },
  { label: 'Website', required: false, fields: [{ name: 'question_3', type: 'input_text' }] },
];

let pdf: PdfService;
let board: FakeApplicationApi;
let cell: WorkflowCell;
/** The public job board the questions are read from (the cell's default reader). */
let boards: FakeJobBoards;

beforeAll(async () => {
  pdf = await startPdfService(1);
  board = await startFakeGreenhouse({ apiKey: 'gh-key' });
  boards = await startFakeJobBoards();
  cell = await createWorkflowCell({
    pdfUrl: pdf.url,
    config: {
      GREENHOUSE_API_URL: `${board.url}/v1`,
      JOB_BOARD_GREENHOUSE_URL: boards.urls.greenhouse,
      TAILOR_PROVIDER: 'embedded',
    },
  });
});
afterAll(async () => {
  await cell?.close();
  await Promise.all([pdf?.close(), board?.close(), boards?.close()]);
});

async function greenhouseUser(): Promise<{ userId: string; jobId: string }> {
  const userId = await cell.createUser();
  const profile = {
    basics: { name: 'Ada Park', email: 'ada@example.com', url: 'https://ada.example' },
    work: [{ name: 'Acme Pay', position: 'Engineer', startDate: '2019-01-01' }],
    skills: [{ name: 'Backend', keywords: ['Go', 'PostgreSQL'] }],
  };
  expect((await cell.request(userId, 'PUT', '/v1/profile', profile)).status).toBe(200);
  await cell.request(userId, 'PUT', '/v1/channels/greenhouse/credentials', { apiKey: 'gh-key' });
  const description = 'You have 3+ years with Go, PostgreSQL.';
  const token = uniqueBoard('acme');
  const externalId = `gh-${userId}`;
  boards.setBoard('greenhouse', token, [
    {
      id: externalId,
      title: 'Engineer',
      location: 'Lisbon',
      descriptionHtml: `<p>${description}</p>`,
      questions: QUESTIONS,
    },
  ]);
  const [job] = await cell.db.sql<{ id: string }[]>`
    insert into jobs (id, fingerprint, title, company, description, content_hash)
    values (gen_random_uuid(), ${`fp-${userId}`}, 'Engineer', 'Acme', ${description}, 'h')
    returning id`;
  const jobId = job?.id ?? '';
  await cell.db.sql`
    insert into postings (id, job_id, provider, board, external_id, title, company, description,
                          content_hash)
    values (gen_random_uuid(), ${jobId}, 'greenhouse', ${token}, ${externalId}, 'Engineer',
            'Acme', ${description}, 'h')`;
  await cell.db.sql`insert into user_jobs (user_id, job_id) values (${userId}, ${jobId})`;
  return { userId, jobId };
}

describe('screening answers in the workflow', () => {
  it('answers from stored answers and profile facts, and sends them with the application', async () => {
    const { userId, jobId } = await greenhouseUser();
    const stored = await cell.request(userId, 'PUT', '/v1/profile/answers', {
      workAuthorisation: 'Yes, EU citizen',
      noticePeriod: '4 weeks',
    });
    expect(stored.status).toBe(200);
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'auto',
      channel: 'greenhouse',
    });
    const app = await cell.waitForStatus(userId, created.applicationId, ['submitted']);
    expect(app.answers).toEqual([
      expect.objectContaining({
        name: 'question_1',
        answer: '1',
        source: { kind: 'stored', key: 'workAuthorisation' },
      }),
      expect.objectContaining({ name: 'question_2', answer: '4 weeks' }),
      expect.objectContaining({
        name: 'question_3',
        answer: 'https://ada.example',
        source: { kind: 'profile', pointer: '/basics/url' },
      }),
    ]);
    const fields = board.applications.at(-1)?.fields as Json;
    expect(fields).toMatchObject({
      question_1: '1',
      question_2: '4 weeks',
      question_3: 'https://ada.example',
      first_name: 'Ada',
    });
  });

  it('holds an auto application for review when a required question has no answer', async () => {
    const { userId, jobId } = await greenhouseUser();
    const before = board.applications.length;
    const created = await cell.json(userId, 'POST', '/v1/applications', {
      jobId,
      mode: 'auto',
      channel: 'greenhouse',
    });
    const app = await cell.waitForStatus(userId, created.applicationId, ['awaiting_approval']);
    const render = app.steps.find((s: { step: string }) => s.step === 'render');
    expect(render.detail.answers).toEqual({
      questions: 3,
      answered: 1,
      unansweredRequired: [
        'Are you legally authorized to work in Portugal?',
        'What is your notice period?',
      ],
    });
    expect(app.answers.filter((a: { answer: unknown }) => a.answer === null)).toHaveLength(2);
    const notifications = await cell.json(userId, 'GET', '/v1/notifications');
    expect(JSON.stringify(notifications)).toContain('2 required question(s)');
    expect(board.applications.length).toBe(before);

    // The user answers what was missing and approves; a question the form lacks is refused.
    const id = created.applicationId as string;
    const stray = await cell.request(userId, 'POST', `/v1/applications/${id}/approve`, {
      answers: { question_77: 'Yes' },
    });
    expect(stray.status).toBe(400);
    expect(((await stray.json()) as Json).error.details.problems[0].pointer).toBe(
      '/answers/question_77',
    );
    const approved = await cell.request(userId, 'POST', `/v1/applications/${id}/approve`, {
      answers: { question_1: '1', question_2: 'Two weeks' },
    });
    expect(approved.status).toBe(202);
    const sent = await cell.waitForStatus(userId, id, ['submitted']);
    expect(sent.answers[1]).toMatchObject({ answer: 'Two weeks', source: { kind: 'user' } });
    expect(board.applications.at(-1)?.fields).toMatchObject({
      question_1: '1',
      question_2: 'Two weeks',
      question_3: 'https://ada.example',
    });
  });
});
