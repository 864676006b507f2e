/** Configuration of the PDF service: one zod schema, parsed once at start. */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { configFields } from '../../lib/config.ts';

export const pdfConfigSchema = z
  .object({
    /** @defaultValue 8090 */
    PORT: configFields.port.default(8090),
    /** @defaultValue '127.0.0.1' */
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: configFields.logLevel,
    /** Render worker threads. @defaultValue the number of CPUs */
    PDF_THREADS: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
    /** Renders that may wait for a thread before `429 overloaded`. @defaultValue 64 */
    PDF_MAX_QUEUE: z.coerce.number().int().min(0).max(100_000).default(64),
    /** Deadline per render, queue wait included, before `504 timeout`. @defaultValue 10000 */
    PDF_RENDER_TIMEOUT_MS: configFields.durationMs.default(10_000),
    /** Largest request body before `413 payload_too_large`. @defaultValue 524288 (512 KiB) */
    PDF_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(512 * 1024),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    threads: env.PDF_THREADS,
    maxQueue: env.PDF_MAX_QUEUE,
    renderTimeoutMs: env.PDF_RENDER_TIMEOUT_MS,
    maxBodyBytes: env.PDF_MAX_BODY_BYTES,
  }));

export type PdfConfig = z.infer<typeof pdfConfigSchema>;
