/**
 * Submit exactly once across a crash: a worker process is killed with
 * SIGKILL while its submission is in flight at the fake Greenhouse board,
 * then a new worker process picks the same BullMQ job up again. The board
 * must have received the application exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubmissionChannels } from '../../cell/adapters/submission/registry.ts';
import { migrateCell } from '../../cell/db/migrate.ts';
import { SubmissionService } from '../../cell/domain/applications/submission.ts';
import { newId } from '../../lib/ids.ts';
import { startFakeGreenhouse } from '../fakes/greenhouse-board.ts';
import type { FakeApplicationApi } from '../fakes/http-fake.ts';
import {
  createTestDatabase,
  type TestDatabase,
  testRedisUrl,
  uniquePrefix,
} from '../harness/databases.ts';

const WORKER = fileURLToPath(new URL('./scripts/submission-worker.ts', import.meta.url));
const API_KEY = 'gh-crash-key';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(migrateCell);
});
afterAll(() => db.drop());

interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the next JSON line whose `event` is one of `events`. */
  next(events: string[]): Promise<Record<string, unknown>>;
}

function startWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      return;
    }
    for (const wake of waiters.splice(0)) wake();
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return {
    child,
    next(events) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const index = lines.findIndex((l) => events.includes(String(l.event)));
          if (index >= 0) {
            resolve(lines.splice(index, 1)[0] as Record<string, unknown>);
            return true;
          }
          return false;
        };
        if (check()) return;
        const onExit = () => reject(new Error(`worker exited early: ${stderr}`));
        child.once('exit', onExit);
        const wait = () => {
          if (check()) child.off('exit', onExit);
          else waiters.push(wait);
        };
        waiters.push(wait);
      });
    },
  };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function crashAndRestart(remoteDedupes: boolean): Promise<{
  fake: FakeApplicationApi;
  state: string;
  result: Record<string, unknown>;
}> {
  const fake = await startFakeGreenhouse({ apiKey: API_KEY });
  const prefix = uniquePrefix('crash');
  const queueName = 'submit';
  const redisUrl = testRedisUrl();
  const queue = new Queue(queueName, { connection: { url: redisUrl }, prefix });
  const workers: WorkerProcess[] = [];
  try {
    const userId = newId();
    await db.sql`insert into users (id, email, name) values (${userId}, 'g@example.test', 'G')`;
    const applicationId = newId();
    // The API step creates the pending submission; the queue job carries only ids.
    await new SubmissionService(db.sql, createSubmissionChannels()).prepare({
      applicationId,
      userId,
      channel: 'greenhouse',
    });
    await queue.add('submit', { applicationId, userId }, { jobId: applicationId });

    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      QUEUE_NAME: queueName,
      GREENHOUSE_URL: `${fake.url}/v1`,
      GREENHOUSE_API_KEY: API_KEY,
      SUBMISSION_TIMEOUT_MS: '3000',
      REMOTE_DEDUPES: String(remoteDedupes),
    };
    // The board records the application, then holds its answer: the request is in flight.
    fake.delayMs = 60_000;
    const first = startWorker(env);
    workers.push(first);
    await fake.waitForApplications(1);
    first.child.kill('SIGKILL');
    await exited(first.child);
    const [midway] =
      await db.sql`select state from submissions where application_id = ${applicationId}`;
    expect(midway?.state).toBe('sending');

    fake.delayMs = 0;
    const second = startWorker(env);
    workers.push(second);
    const finished = await second.next(['completed', 'failed']);
    expect(finished.event).toBe('completed');
    const [row] =
      await db.sql`select state from submissions where application_id = ${applicationId}`;
    return { fake, state: String(row?.state), result: finished.result as Record<string, unknown> };
  } finally {
    for (const worker of workers) {
      worker.child.kill('SIGKILL');
      await exited(worker.child);
    }
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await fake.close();
  }
}

describe('a worker killed with SIGKILL mid-submission, then restarted', () => {
  it('leaves the board with exactly one application, marked unknown for the user when the board cannot dedupe', async () => {
    const { fake, state, result } = await crashAndRestart(false);
    expect(fake.applications).toHaveLength(1);
    expect(fake.requests).toBe(1);
    expect(state).toBe('unknown');
    expect(result).toMatchObject({ state: 'unknown', sent: false });
  });

  it('leaves the board with exactly one application, re-sent with the same key when the board dedupes', async () => {
    const { fake, state, result } = await crashAndRestart(true);
    expect(fake.applications).toHaveLength(1);
    expect(fake.requests).toBe(2);
    expect(state).toBe('submitted');
    expect(result).toMatchObject({ state: 'submitted', sent: true, attempts: 2 });
  });
});
