/**
 * Helpers for applications-workflow tests and the workflow benchmark: the
 * real PDF service in-process on a free port, a test cell with its BullMQ
 * workers running (short locks and sweeps), and small request helpers.
 */
import { readFileSync } from 'node:fs';
import { startCellWorkers } from '../../cell/workers/workers.ts';
import { listen, type RunningServer } from '../../lib/http-server.ts';
import { createLogger } from '../../lib/logger.ts';
import { createApp as createPdfApp } from '../../shared-services/pdf/app.ts';
import { pdfConfigSchema } from '../../shared-services/pdf/config.ts';
import { createPdfServices } from '../../shared-services/pdf/services.ts';
import { createTestCell, type TestCell, type TestCellOptions } from './cell.ts';
import type { Json } from './http.ts';

export const SAMPLE_RESUME_TEXT = readFileSync(
  new URL('../fixtures/jsonresume/sample.resume.json', import.meta.url),
  'utf8',
);
/** base64 of 32 bytes, for SECRETS_KEY in tests only. */
export const TEST_SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');

export interface PdfService {
  url: string;
  close(): Promise<void>;
}

/** The real PDF service (shared-services/pdf) on a free port, in this process. */
export async function startPdfService(threads = 2): Promise<PdfService> {
  const config = pdfConfigSchema.parse({ PORT: '0', PDF_THREADS: String(threads) });
  const services = createPdfServices(config, createLogger({ service: 'pdf', level: 'silent' }));
  const server: RunningServer = await listen(createPdfApp(services), { port: 0 });
  return {
    url: server.url,
    async close() {
      await server.close();
      await services.close();
    },
  };
}

export interface WorkflowCell extends TestCell {
  request(userId: string, method: string, path: string, body?: unknown): Promise<Response>;
  json(userId: string, method: string, path: string, body?: unknown): Promise<Json>;
  /** Polls `GET /v1/applications/:id` until its status is one of `statuses`. */
  waitForStatus(userId: string, id: string, statuses: string[], timeoutMs?: number): Promise<Json>;
  /** A user with the sample profile and one manual job; returns both ids. */
  userWithJob(profile?: unknown): Promise<{ userId: string; jobId: string }>;
  stopWorkers(): Promise<void>;
}

export async function createWorkflowCell(
  options: TestCellOptions & { pdfUrl: string; workers?: boolean },
): Promise<WorkflowCell> {
  const cell = await createTestCell({
    rateLimitPerMinute: 1_000_000,
    ...options,
    config: {
      SECRETS_KEY: TEST_SECRETS_KEY,
      PDF_SERVICE_URL: options.pdfUrl,
      WORKFLOW_SWEEP_INTERVAL_MS: 500,
      WORKFLOW_STUCK_AFTER_MS: 5_000,
      WORKFLOW_LOCK_DURATION_MS: 3_000,
      WORKFLOW_STALLED_INTERVAL_MS: 1_000,
      ...options.config,
    },
  });
  const workers =
    options.workers === false
      ? undefined
      : await startCellWorkers(cell.services, {
          redisUrl: cell.redisUrl,
          prefix: cell.queuePrefix,
          heartbeatIntervalMs: 60_000,
        });
  const request = (userId: string, method: string, path: string, body?: unknown) =>
    Promise.resolve(
      cell.app.request(path, {
        method,
        headers: cell.signedHeaders(
          userId,
          body === undefined ? {} : { 'content-type': 'application/json' },
        ),
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
    );
  const json = async (userId: string, method: string, path: string, body?: unknown) =>
    (await (await request(userId, method, path, body)).json()) as Json;
  let stopped = false;
  const stopWorkers = async () => {
    if (stopped) return;
    stopped = true;
    await workers?.close();
  };
  return {
    ...cell,
    request,
    json,
    async waitForStatus(userId, id, statuses, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      let last: Json = {};
      while (Date.now() < until) {
        last = await json(userId, 'GET', `/v1/applications/${id}`);
        if (statuses.includes(last.status)) return last;
        if (last.status === 'failed') {
          throw new Error(`application ${id} failed: ${JSON.stringify(last.failure)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(
        `application ${id} stayed ${last.status}, wanted ${statuses.join('|')}: ${JSON.stringify(last.steps)}`,
      );
    },
    async userWithJob(profile) {
      const userId = await cell.createUser();
      const put = await request(userId, 'PUT', '/v1/profile', profile ?? SAMPLE_RESUME_TEXT);
      if (put.status !== 200) throw new Error(`profile: ${put.status} ${await put.text()}`);
      const job = await json(userId, 'POST', '/v1/jobs', {
        title: 'Senior Software Engineer',
        company: 'Hooli',
        description:
          'You have 5+ years with JavaScript, Node.js and distributed systems.\nNice to have: Python.',
        location: 'Palo Alto',
      });
      return { userId, jobId: job.id as string };
    },
    stopWorkers,
    async close() {
      await stopWorkers();
      await cell.close();
    },
  };
}
