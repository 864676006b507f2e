import { afterEach, describe, expect, it } from 'vitest';
import { ASHBY_INVALID_EMAIL, startFakeAshby } from '../../../test/fakes/ashby-api.ts';
import { startFakeGreenhouse } from '../../../test/fakes/greenhouse-board.ts';
import type { FakeApplicationApi, ReceivedFile } from '../../../test/fakes/http-fake.ts';
import { startFakeLever } from '../../../test/fakes/lever-postings.ts';
import { startSmtpInbox } from '../../../test/fakes/smtp-inbox.ts';
import { startFakeWebhookReceiver } from '../../../test/fakes/webhook-receiver.ts';
import {
  ChannelNotConfiguredError,
  InvalidSubmissionError,
  SubmissionError,
  UnknownChannelError,
} from '../../domain/applications/errors.ts';
import { AshbyChannel, GreenhouseChannel, LeverChannel } from './ats-channels.ts';
import { EmailChannel } from './email-channel.ts';
import { createSubmissionChannels } from './registry.ts';
import type { SubmissionRequest } from './types.ts';
import { WebhookChannel } from './webhook-channel.ts';

const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

function request(overrides: Partial<SubmissionRequest> = {}): SubmissionRequest {
  return {
    applicationId: '0190a000-0000-7000-8000-000000000001',
    idempotencyKey: `key-${Math.random().toString(36).slice(2)}`,
    candidate: {
      firstName: 'Zoë',
      lastName: 'Nakamura-Ødegård',
      email: 'zoe@example.com',
      phone: '+47 555 0100',
    },
    resumePdf: pdf,
    resumeFileName: 'Zoe-Nakamura-resume.pdf',
    coverLetter: 'I would like to apply.',
    job: {
      provider: 'greenhouse',
      externalId: '127817',
      boardToken: 'very_awesome_inc',
      title: 'Backend Engineer',
      company: 'Very Awesome Inc',
      applyEmail: 'jobs@awesome.example',
    },
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<SubmissionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SubmissionError))
    throw new Error(`expected SubmissionError, got ${error}`);
  return error;
}

async function deadUrl(): Promise<string> {
  const fake = await startFakeGreenhouse({ apiKey: 'x' });
  const url = fake.url;
  await fake.close();
  return url;
}

const started: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});
async function track<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const s = await server;
  started.push(s);
  return s;
}

describe('greenhouse channel', () => {
  const apiKey = 'gh-key-0123';
  const channel = (fake: FakeApplicationApi, timeoutMs = 2_000) =>
    new GreenhouseChannel({ baseUrl: `${fake.url}/v1`, timeoutMs });

  it('posts the documented multipart form with Basic auth and the idempotency key', async () => {
    const fake = await track(startFakeGreenhouse({ apiKey, jobs: ['very_awesome_inc/127817'] }));
    const req = request({
      answers: { question_5555: 'https://linkedin.example/zoe', question_2222: ['2', '5'] },
    });
    const receipt = await channel(fake).submit(req, { apiKey });
    expect(receipt).toEqual({ status: 'submitted', channel: 'greenhouse' });
    expect(fake.applications).toHaveLength(1);
    const [received] = fake.applications;
    expect(received?.idempotencyKey).toBe(req.idempotencyKey);
    expect(received?.fields).toMatchObject({
      board: 'very_awesome_inc',
      jobId: '127817',
      first_name: 'Zoë',
      last_name: 'Nakamura-Ødegård',
      email: 'zoe@example.com',
      phone: '+47 555 0100',
      cover_letter_text: 'I would like to apply.',
      question_5555: 'https://linkedin.example/zoe',
      'question_2222[]': ['2', '5'],
    });
    const resume = received?.fields.resume as ReceivedFile;
    expect(resume.fileName).toBe('Zoe-Nakamura-resume.pdf');
    expect(resume.contentType).toBe('application/pdf');
    expect(resume.bytes.equals(pdf)).toBe(true);
  });

  it('reports a refused API key as rejected, not delivered', async () => {
    const fake = await track(startFakeGreenhouse({ apiKey }));
    const error = await failureOf(channel(fake).submit(request(), { apiKey: 'wrong' }));
    expect(error).toMatchObject({ outcome: 'rejected', status: 401 });
    expect(fake.applications).toHaveLength(0);
  });

  it('throws ChannelNotConfiguredError without credentials', async () => {
    const fake = await track(startFakeGreenhouse({ apiKey }));
    await expect(channel(fake).submit(request(), undefined)).rejects.toBeInstanceOf(
      ChannelNotConfiguredError,
    );
    expect(() => channel(fake).validateCredentials({ apiKey: '' })).toThrow(
      ChannelNotConfiguredError,
    );
    expect(fake.requests).toBe(0);
  });

  it('refuses a job without a board token before sending anything', async () => {
    const fake = await track(startFakeGreenhouse({ apiKey }));
    const req = request();
    const job = { ...req.job, boardToken: undefined } as unknown as SubmissionRequest['job'];
    await expect(channel(fake).submit({ ...req, job }, { apiKey })).rejects.toBeInstanceOf(
      InvalidSubmissionError,
    );
    expect(fake.requests).toBe(0);
  });

  it('marks a 5xx after the board processed the application as unknown outcome', async () => {
    const fake = await track(startFakeGreenhouse({ apiKey }));
    fake.failNext({ kind: 'status', status: 500, afterProcessing: true });
    const error = await failureOf(channel(fake).submit(request(), { apiKey }));
    expect(error).toMatchObject({ outcome: 'unknown', status: 500 });
    expect(fake.applications).toHaveLength(1);
  });

  it('marks a connection dropped after receiving as unknown outcome', async () => {
    const fake = await track(startFakeGreenhouse({ apiKey }));
    fake.failNext({ kind: 'drop', afterProcessing: true });
    const error = await failureOf(channel(fake).submit(request(), { apiKey }));
    expect(error.outcome).toBe('unknown');
    expect(fake.applications).toHaveLength(1);
  });

  it('marks a timeout after sending as unknown outcome', async () => {
    const fake = await track(startFakeGreenhouse({ apiKey }));
    fake.delayMs = 1_000;
    const error = await failureOf(channel(fake, 200).submit(request(), { apiKey }));
    expect(error.outcome).toBe('unknown');
    expect(error.message).toMatch(/no answer within 200 ms/);
  });

  it('marks a refused connection as definitely not delivered', async () => {
    const url = await deadUrl();
    const error = await failureOf(
      new GreenhouseChannel({ baseUrl: `${url}/v1` }).submit(request(), { apiKey }),
    );
    expect(error.outcome).toBe('not_delivered');
  });

  it('marks 429 as not delivered, since a rate-limited request was not processed', async () => {
    const fake = await track(startFakeGreenhouse({ apiKey }));
    fake.failNext({ kind: 'status', status: 429, afterProcessing: false });
    const error = await failureOf(channel(fake).submit(request(), { apiKey }));
    expect(error).toMatchObject({ outcome: 'not_delivered', status: 429 });
    expect(fake.applications).toHaveLength(0);
  });

  it('sends the same idempotency key again and the fake counts one application', async () => {
    const fake = await track(startFakeGreenhouse({ apiKey }));
    const req = request();
    await channel(fake).submit(req, { apiKey });
    await channel(fake).submit(req, { apiKey });
    expect(fake.requests).toBe(2);
    expect(fake.applications).toHaveLength(1);
  });
});

describe('lever channel', () => {
  it('posts name, email, comments and the resume to the postings apply API with the key', async () => {
    const fake = await track(startFakeLever({ apiKey: 'lever-key' }));
    const channel = new LeverChannel({ baseUrl: `${fake.url}/v0` });
    const req = request({
      job: { ...request().job, boardToken: 'leverdemo', externalId: 'abc-123' },
    });
    const receipt = await channel.submit(req, { apiKey: 'lever-key' });
    const [received] = fake.applications;
    expect(receipt).toEqual({
      status: 'submitted',
      channel: 'lever',
      externalId: received?.fields.applicationId,
    });
    expect(received?.fields).toMatchObject({
      site: 'leverdemo',
      postingId: 'abc-123',
      name: 'Zoë Nakamura-Ødegård',
      email: 'zoe@example.com',
      comments: 'I would like to apply.',
    });
    expect((received?.fields.resume as ReceivedFile | undefined)?.bytes.equals(pdf)).toBe(true);
  });

  it('reports a wrong key as rejected', async () => {
    const fake = await track(startFakeLever({ apiKey: 'lever-key' }));
    const channel = new LeverChannel({ baseUrl: `${fake.url}/v0` });
    const error = await failureOf(channel.submit(request(), { apiKey: 'nope' }));
    expect(error).toMatchObject({ outcome: 'rejected', status: 401 });
  });
});

describe('ashby channel', () => {
  it('submits fieldSubmissions with the resume as a referenced file part', async () => {
    const fake = await track(startFakeAshby({ apiKey: 'ashby-key' }));
    const channel = new AshbyChannel({ baseUrl: fake.url });
    const req = request({ job: { ...request().job, externalId: 'posting-uuid' } });
    const receipt = await channel.submit(req, { apiKey: 'ashby-key' });
    const [received] = fake.applications;
    expect(receipt.externalId).toBe(received?.fields.applicationId);
    expect(received?.fields).toMatchObject({
      jobPostingId: 'posting-uuid',
      fieldSubmissions: {
        _systemfield_name: 'Zoë Nakamura-Ødegård',
        _systemfield_email: 'zoe@example.com',
        _systemfield_resume: 'resume_1',
      },
    });
    expect((received?.fields.resume as ReceivedFile | undefined)?.bytes.equals(pdf)).toBe(true);
  });

  it('treats success: false (sent with status 200) as a refusal', async () => {
    const fake = await track(startFakeAshby({ apiKey: 'ashby-key' }));
    const channel = new AshbyChannel({ baseUrl: fake.url });
    const req = request({ candidate: { ...request().candidate, email: ASHBY_INVALID_EMAIL } });
    const error = await failureOf(channel.submit(req, { apiKey: 'ashby-key' }));
    expect(error.outcome).toBe('rejected');
    expect(error.message).toMatch(/Email is invalid/);
    expect(fake.applications).toHaveLength(0);
  });
});

describe('webhook channel', () => {
  const secret = 'whsec-0123456789abcdef';
  const noSleep = { sleep: async () => {} };

  it('posts signed JSON with the resume, which the receiver verifies', async () => {
    const fake = await track(startFakeWebhookReceiver({ secret }));
    const req = request();
    const receipt = await new WebhookChannel(noSleep).submit(req, {
      url: `${fake.url}/hook`,
      secret,
    });
    expect(receipt.externalId).toBe(`wh-${req.applicationId}`);
    const payload = fake.applications[0]?.fields as {
      resume: { base64: string };
      candidate: unknown;
    };
    expect(Buffer.from(payload.resume.base64, 'base64').equals(pdf)).toBe(true);
    expect(payload.candidate).toEqual(req.candidate);
  });

  it('retries a 5xx with the same idempotency key and the receiver keeps one application', async () => {
    const fake = await track(startFakeWebhookReceiver({ secret }));
    // Lost before processing, then processed but answered 503, then deduped by the key.
    fake.failNext({ kind: 'drop', afterProcessing: false });
    fake.failNext({ kind: 'status', status: 503, afterProcessing: true });
    const receipt = await new WebhookChannel(noSleep).submit(request(), { url: fake.url, secret });
    expect(receipt.status).toBe('submitted');
    expect(fake.requests).toBe(3);
    expect(fake.applications).toHaveLength(1);
  });

  it('gives up as unknown when an attempt may have arrived, and not delivered when none could connect', async () => {
    const fake = await track(startFakeWebhookReceiver({ secret }));
    for (let i = 0; i < 3; i += 1)
      fake.failNext({ kind: 'status', status: 500, afterProcessing: false });
    const unknown = await failureOf(
      new WebhookChannel(noSleep).submit(request(), { url: fake.url, secret }),
    );
    expect(unknown.outcome).toBe('unknown');
    const refused = await failureOf(
      new WebhookChannel(noSleep).submit(request(), { url: await deadUrl(), secret }),
    );
    expect(refused.outcome).toBe('not_delivered');
  });

  it('does not retry a refusal (a wrong secret gets 401)', async () => {
    const fake = await track(startFakeWebhookReceiver({ secret }));
    const error = await failureOf(
      new WebhookChannel(noSleep).submit(request(), {
        url: fake.url,
        secret: 'another-secret-000000',
      }),
    );
    expect(error).toMatchObject({ outcome: 'rejected', status: 401 });
    expect(fake.requests).toBe(1);
  });

  it('waits with exponential backoff between attempts', async () => {
    const fake = await track(startFakeWebhookReceiver({ secret }));
    for (let i = 0; i < 2; i += 1)
      fake.failNext({ kind: 'status', status: 502, afterProcessing: false });
    const waits: number[] = [];
    const channel = new WebhookChannel({
      backoffMs: 100,
      sleep: async (ms) => void waits.push(ms),
    });
    await channel.submit(request(), { url: fake.url, secret });
    expect(waits).toEqual([100, 200]);
  });
});

describe('email channel', () => {
  it('sends the application by SMTP with the PDF attached and a Message-ID from the key', async () => {
    const inbox = await track(startSmtpInbox({ user: 'mailer', password: 'secret' }));
    const channel = new EmailChannel({ smtpUrl: inbox.url, from: 'apply@cell.example' });
    const req = request();
    const receipt = await channel.submit(req);
    channel.close();
    expect(receipt.externalId).toBe(`<${req.idempotencyKey}@cell.example>`);
    const [mail] = inbox.messages;
    expect(mail?.to).toMatchObject({ text: 'jobs@awesome.example' });
    expect(mail?.subject).toBe('Application for Backend Engineer: Zoë Nakamura-Ødegård');
    expect(mail?.replyTo?.text).toContain('zoe@example.com');
    expect(mail?.messageId).toBe(`<${req.idempotencyKey}@cell.example>`);
    expect(mail?.attachments).toHaveLength(1);
    expect(mail?.attachments[0]?.filename).toBe('Zoe-Nakamura-resume.pdf');
    expect(mail?.attachments[0]?.contentType).toBe('application/pdf');
    expect(mail?.attachments[0]?.content.equals(pdf)).toBe(true);
  });

  it('attaches the cover letter PDF after the resume and writes its text as the body', async () => {
    const inbox = await track(startSmtpInbox({ user: 'mailer', password: 'secret' }));
    const channel = new EmailChannel({ smtpUrl: inbox.url, from: 'apply@cell.example' });
    const letterPdf = Buffer.from('%PDF-1.4\n% cover letter\n%%EOF\n');
    await channel.submit(
      request({
        coverLetter: 'Dear Very Awesome Inc hiring team,\n\nI am applying.',
        coverLetterPdf: letterPdf,
        coverLetterFileName: 'Zoe-Nakamura-cover-letter.pdf',
      }),
    );
    channel.close();
    const [mail] = inbox.messages;
    expect(mail?.text).toContain('I am applying.');
    expect(mail?.attachments.map((a) => a.filename)).toEqual([
      'Zoe-Nakamura-resume.pdf',
      'Zoe-Nakamura-cover-letter.pdf',
    ]);
    expect(mail?.attachments[1]?.content.equals(letterPdf)).toBe(true);
  });

  it('classifies a 4xx reply as not delivered and a 5xx reply as rejected', async () => {
    const inbox = await track(startSmtpInbox());
    const channel = new EmailChannel({ smtpUrl: inbox.url });
    inbox.refuseNext(451);
    expect((await failureOf(channel.submit(request()))).outcome).toBe('not_delivered');
    inbox.refuseNext(554);
    expect((await failureOf(channel.submit(request()))).outcome).toBe('rejected');
    expect(inbox.messages).toHaveLength(0);
    channel.close();
  });

  it('classifies a refused connection as not delivered', async () => {
    const url = (await deadUrl()).replace('http://', 'smtp://');
    const channel = new EmailChannel({ smtpUrl: url, timeoutMs: 2_000 });
    expect((await failureOf(channel.submit(request()))).outcome).toBe('not_delivered');
  });

  it('is not configured without SMTP_URL, and refuses a job without an apply address', async () => {
    await expect(new EmailChannel().submit(request())).rejects.toBeInstanceOf(
      ChannelNotConfiguredError,
    );
    const inbox = await track(startSmtpInbox());
    const channel = new EmailChannel({ smtpUrl: inbox.url });
    const req = request();
    await expect(
      channel.submit({ ...req, job: { title: 'x', company: 'y' } }),
    ).rejects.toBeInstanceOf(InvalidSubmissionError);
    channel.close();
  });
});

describe('channel registry', () => {
  it('knows the six channels and refuses an unknown name with a domain error', () => {
    const channels = createSubmissionChannels();
    expect(channels.names()).toEqual([
      'greenhouse',
      'lever',
      'ashby',
      'email',
      'webhook',
      'manual',
    ]);
    expect(channels.get('greenhouse').remoteDedupes).toBe(false);
    expect(() => channels.get('fax')).toThrow(UnknownChannelError);
    expect(
      createSubmissionChannels({ remoteDedupes: ['greenhouse'] }).get('greenhouse').remoteDedupes,
    ).toBe(true);
  });

  it('records a manual confirmation without any network', async () => {
    const manual = createSubmissionChannels().get('manual');
    expect(manual.requiresCredentials).toBe(false);
    await expect(manual.submit(request(), undefined)).resolves.toEqual({
      status: 'submitted',
      channel: 'manual',
    });
  });
});
