/**
 * A minimal cell worker for the SIGKILL test: a BullMQ worker whose one
 * processor calls `submitOnce` for the job's application against the
 * Greenhouse channel. It prints one JSON line per finished job. Configured
 * through the environment by test/integration/submission-crash.test.ts.
 */
import { DelayedError, Worker } from 'bullmq';
import postgres from 'postgres';
import { createSubmissionChannels } from '../../../cell/adapters/submission/registry.ts';
import { SubmissionInProgressError } from '../../../cell/domain/applications/errors.ts';
import { SubmissionService } from '../../../cell/domain/applications/submission.ts';

const env = process.env;
const sql = postgres(env.DATABASE_URL ?? '', { max: 2, onnotice: () => {} });
const submissions = new SubmissionService(
  sql,
  createSubmissionChannels({
    greenhouseUrl: env.GREENHOUSE_URL,
    timeoutMs: Number(env.SUBMISSION_TIMEOUT_MS),
    remoteDedupes: env.REMOTE_DEDUPES === 'true' ? ['greenhouse'] : [],
  }),
  { leaseMarginMs: 500 },
);

interface SubmitJob {
  applicationId: string;
  userId: string;
}

const worker = new Worker<SubmitJob>(
  env.QUEUE_NAME ?? 'submit',
  async (job, token) => {
    try {
      const outcome = await submissions.submitOnce({
        applicationId: job.data.applicationId,
        userId: job.data.userId,
        channel: 'greenhouse',
        credentials: { apiKey: env.GREENHOUSE_API_KEY },
        request: {
          candidate: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' },
          resumePdf: Buffer.from('%PDF-1.4\n%%EOF\n'),
          resumeFileName: 'grace.pdf',
          job: { externalId: '42', boardToken: 'acme', title: 'Engineer', company: 'Acme' },
        },
      });
      return { state: outcome.record.state, sent: outcome.sent, attempts: outcome.record.attempts };
    } catch (error) {
      if (error instanceof SubmissionInProgressError) {
        // A previous attempt's lease is still live: come back when it has run out.
        await job.moveToDelayed(Date.now() + error.retryAfterMs + 50, token);
        throw new DelayedError();
      }
      throw error;
    }
  },
  {
    connection: { url: env.REDIS_URL, maxRetriesPerRequest: null },
    prefix: env.QUEUE_PREFIX ?? 'bull',
    lockDuration: 1_000,
    stalledInterval: 500,
  },
);
worker.on('error', (error) => process.stderr.write(`worker error: ${String(error)}\n`));
worker.on('completed', (_job, result) => {
  process.stdout.write(`${JSON.stringify({ event: 'completed', result })}\n`);
});
worker.on('failed', (_job, error) => {
  process.stdout.write(`${JSON.stringify({ event: 'failed', error: String(error) })}\n`);
});
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
