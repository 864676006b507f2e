import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../lib/crypto/secret-box.ts';
import { newId } from '../../../lib/ids.ts';
import { startFakeGreenhouse } from '../../../test/fakes/greenhouse-board.ts';
import type { FakeApplicationApi } from '../../../test/fakes/http-fake.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/harness/databases.ts';
import { createSubmissionChannels } from '../../adapters/submission/registry.ts';
import { mapCellDomainError } from '../../api/error-mapping.ts';
import { migrateCell } from '../../db/migrate.ts';
import { ChannelCredentialsStore } from './channel-credentials.ts';
import {
  ChannelNotConfiguredError,
  SubmissionInProgressError,
  UnknownChannelError,
} from './errors.ts';
import { type SubmissionNotice, SubmissionService, type SubmitOnceInput } from './submission.ts';

const apiKey = 'gh-test-key';
let db: TestDatabase;
let fake: FakeApplicationApi;
let notices: SubmissionNotice[];

beforeAll(async () => {
  db = await createTestDatabase(migrateCell);
});
afterAll(() => db.drop());
beforeEach(async () => {
  fake = await startFakeGreenhouse({ apiKey });
  notices = [];
});
afterEach(() => fake.close());

function service(
  options: { dedupes?: boolean; greenhouseUrl?: string; leaseMarginMs?: number } = {},
) {
  const channels = createSubmissionChannels({
    greenhouseUrl: options.greenhouseUrl ?? `${fake.url}/v1`,
    timeoutMs: 2_000,
    remoteDedupes: options.dedupes ? ['greenhouse'] : [],
  });
  return new SubmissionService(db.sql, channels, {
    leaseMarginMs: options.leaseMarginMs ?? 1_000,
    notifier: async (_tx, notice) => void notices.push(notice),
  });
}

async function newUser(): Promise<string> {
  const id = newId();
  await db.sql`insert into users (id, email, name) values (${id}, ${`${id}@example.test`}, 'Test')`;
  return id;
}

async function input(overrides: Partial<SubmitOnceInput> = {}): Promise<SubmitOnceInput> {
  return {
    applicationId: newId(),
    userId: await newUser(),
    channel: 'greenhouse',
    credentials: { apiKey },
    request: {
      candidate: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
      resumePdf: Buffer.from('%PDF-1.4\n%%EOF\n'),
      resumeFileName: 'ada.pdf',
      job: { externalId: '1', boardToken: 'acme', title: 'Engineer', company: 'Acme' },
    },
    ...overrides,
  };
}

describe('submitOnce', () => {
  it('submits, records the event in the same step, and never sends again', async () => {
    const submissions = service();
    const req = await input();
    const first = await submissions.submitOnce(req);
    expect(first).toMatchObject({ sent: true, record: { state: 'submitted', attempts: 1 } });
    const second = await submissions.submitOnce(req);
    expect(second).toMatchObject({ sent: false, record: { state: 'submitted' } });
    expect(fake.requests).toBe(1);
    expect(fake.applications[0]?.idempotencyKey).toBe(first.record.idempotencyKey);
    const events = await db.sql`
      select type, data from events where user_id = ${req.userId} and type = 'application.submitted'`;
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({
      applicationId: req.applicationId,
      channel: 'greenhouse',
    });
  });

  it('sends exactly once however many attempts race for the same application', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), async (racers) => {
        const before = fake.applications.length;
        fake.delayMs = 50;
        const submissions = service();
        const req = await input();
        const results = await Promise.allSettled(
          Array.from({ length: racers }, () => submissions.submitOnce(req)),
        );
        const sent = results.filter((r) => r.status === 'fulfilled' && r.value.sent);
        const busy = results.filter(
          (r) => r.status === 'rejected' && r.reason instanceof SubmissionInProgressError,
        );
        expect(sent).toHaveLength(1);
        expect(
          sent.length +
            busy.length +
            results.filter((r) => r.status === 'fulfilled' && !r.value.sent).length,
        ).toBe(racers);
        expect(fake.applications.length - before).toBe(1);
      }),
      { numRuns: 8 },
    );
  });

  it('marks an unknown outcome (5xx after the board processed it), notifies, and does not resend', async () => {
    const submissions = service();
    const req = await input();
    fake.failNext({ kind: 'status', status: 502, afterProcessing: true });
    const first = await submissions.submitOnce(req);
    expect(first.record).toMatchObject({ state: 'unknown', retryable: false });
    expect(notices).toEqual([
      expect.objectContaining({ applicationId: req.applicationId, state: 'unknown' }),
    ]);
    expect((await submissions.submitOnce(req)).sent).toBe(false);
    expect(fake.requests).toBe(1);
  });

  it('lets the user settle an unknown outcome: not delivered sends again with the same key', async () => {
    const submissions = service();
    const req = await input();
    fake.failNext({ kind: 'status', status: 500, afterProcessing: false });
    const unknown = await submissions.submitOnce(req);
    expect(unknown.record.state).toBe('unknown');
    await submissions.resolveUnknown(req.applicationId, req.userId, false);
    const retried = await submissions.submitOnce(req);
    expect(retried.record.state).toBe('submitted');
    expect(fake.applications.map((a) => a.idempotencyKey)).toEqual([unknown.record.idempotencyKey]);
  });

  it('retries a definitely-not-delivered failure, up to the limit, then stops and notifies', async () => {
    const dead = await startFakeGreenhouse({ apiKey });
    const deadUrl = `${dead.url}/v1`;
    await dead.close();
    const submissions = service({ greenhouseUrl: deadUrl });
    const req = await input();
    const first = await submissions.submitOnce(req);
    expect(first.record).toMatchObject({ state: 'failed', retryable: true, attempts: 1 });
    expect(notices).toEqual([]);
    await submissions.submitOnce(req);
    const third = await submissions.submitOnce(req);
    expect(third.record).toMatchObject({ state: 'failed', retryable: false, attempts: 3 });
    expect(notices).toHaveLength(1);
    expect((await submissions.submitOnce(req)).sent).toBe(false);
  });

  it('never resends a refusal', async () => {
    const submissions = service();
    const req = await input({ credentials: { apiKey: 'revoked' } });
    const first = await submissions.submitOnce(req);
    expect(first.record).toMatchObject({ state: 'failed', retryable: false });
    expect(first.record.lastError).toMatchObject({ outcome: 'rejected', status: 401 });
    expect((await submissions.submitOnce(req)).sent).toBe(false);
    expect(fake.requests).toBe(1);
  });

  describe('after an attempt died mid-send (row left in sending)', () => {
    async function leaveSending(submissions: SubmissionService, req: SubmitOnceInput) {
      const record = await submissions.prepare(req);
      await db.sql`
        update submissions set state = 'sending', attempts = 1,
               lease_expires_at = now() - interval '1 second'
         where application_id = ${req.applicationId}`;
      return record;
    }

    it('marks it unknown and notifies when the board does not dedupe', async () => {
      const submissions = service();
      const req = await input();
      await leaveSending(submissions, req);
      const outcome = await submissions.submitOnce(req);
      expect(outcome).toMatchObject({ sent: false, record: { state: 'unknown' } });
      expect(notices).toEqual([expect.objectContaining({ state: 'unknown' })]);
      expect(fake.requests).toBe(0);
    });

    it('re-sends with the same idempotency key when the board dedupes on it', async () => {
      const submissions = service({ dedupes: true });
      const req = await input();
      const record = await leaveSending(submissions, req);
      const outcome = await submissions.submitOnce(req);
      expect(outcome).toMatchObject({ sent: true, record: { state: 'submitted', attempts: 2 } });
      expect(fake.applications[0]?.idempotencyKey).toBe(record.idempotencyKey);
    });

    it('refuses to touch it while the lease is live', async () => {
      const submissions = service();
      const req = await input();
      await submissions.prepare(req);
      await db.sql`
        update submissions set state = 'sending', attempts = 1,
               lease_expires_at = now() + interval '5 seconds'
         where application_id = ${req.applicationId}`;
      const error = await submissions.submitOnce(req).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SubmissionInProgressError);
      expect((error as SubmissionInProgressError).retryAfterMs).toBeGreaterThan(3_000);
      expect(mapCellDomainError(error)).toMatchObject({ status: 409 });
      expect(fake.requests).toBe(0);
    });
  });

  describe('bad input', () => {
    it('refuses a channel without its credentials with 422 channel_not_configured, creating nothing', async () => {
      const submissions = service();
      const req = await input({ credentials: undefined });
      const error = await submissions.submitOnce(req).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChannelNotConfiguredError);
      expect(mapCellDomainError(error)).toMatchObject({
        status: 422,
        code: 'channel_not_configured',
      });
      expect(await submissions.find(req.applicationId)).toBeUndefined();
      expect(fake.requests).toBe(0);
    });

    it('refuses an unknown channel with 400 naming /channel', async () => {
      const submissions = service();
      const error = await submissions
        .submitOnce(await input({ channel: 'carrier-pigeon' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownChannelError);
      expect(mapCellDomainError(error)).toMatchObject({
        status: 400,
        code: 'validation_failed',
        details: { problems: [expect.objectContaining({ pointer: '/channel' })] },
      });
    });
  });
});

describe('channel credentials store', () => {
  const channels = createSubmissionChannels();
  const box = createSecretBox(randomBytes(32));

  it('seals credentials at rest and opens them for the same user and channel', async () => {
    const store = new ChannelCredentialsStore(db.sql, channels, box);
    const userId = await newUser();
    await store.put(userId, 'greenhouse', { apiKey: 'gh_live_SECRET' });
    const [row] = await db.sql`select sealed from channel_credentials where user_id = ${userId}`;
    expect(row?.sealed).toMatch(/^v1:/);
    expect(row?.sealed).not.toContain('gh_live_SECRET');
    expect(await store.get(userId, 'greenhouse')).toEqual({ apiKey: 'gh_live_SECRET' });
    expect(await store.list(userId)).toEqual([
      expect.objectContaining({ channel: 'greenhouse', scope: '' }),
    ]);
  });

  it('prefers credentials scoped to the board and falls back to the unscoped ones', async () => {
    const store = new ChannelCredentialsStore(db.sql, channels, box);
    const userId = await newUser();
    await store.put(userId, 'greenhouse', { apiKey: 'default' });
    await store.put(userId, 'greenhouse', { apiKey: 'acme-only' }, 'acme');
    expect(await store.get(userId, 'greenhouse', 'acme')).toEqual({ apiKey: 'acme-only' });
    expect(await store.get(userId, 'greenhouse', 'other')).toEqual({ apiKey: 'default' });
  });

  it('will not open a sealed value moved to another user', async () => {
    const store = new ChannelCredentialsStore(db.sql, channels, box);
    const [alice, bob] = [await newUser(), await newUser()];
    await store.put(alice, 'lever', { apiKey: 'alice-key' });
    await db.sql`
      insert into channel_credentials (user_id, channel, scope, sealed)
      select ${bob}, channel, scope, sealed from channel_credentials where user_id = ${alice}`;
    await expect(store.get(bob, 'lever')).rejects.toThrow(/authentication/);
  });

  it('refuses invalid credentials, and any credential when the cell has no SECRETS_KEY', async () => {
    const userId = await newUser();
    const store = new ChannelCredentialsStore(db.sql, channels, box);
    await expect(
      store.put(userId, 'webhook', { url: 'not a url', secret: 'x' }),
    ).rejects.toBeInstanceOf(ChannelNotConfiguredError);
    const keyless = new ChannelCredentialsStore(db.sql, channels, undefined);
    await expect(keyless.put(userId, 'ashby', { apiKey: 'k' })).rejects.toThrow(/SECRETS_KEY/);
    expect(await keyless.get(userId, 'ashby')).toBeUndefined();
  });
});
