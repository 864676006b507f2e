/**
 * A Greenhouse job's application-form questions:
 * `GET {base}/boards/{token}/jobs/{id}?questions=true` (Job Board API), read
 * when the workflow drafts the answers of an application to that job. Jobs
 * from other boards have no questions here (their forms are not read yet).
 */
import { request } from 'undici';
import { z } from 'zod';
import type { FormQuestion } from '../../domain/applications/screening.ts';
import type { JobTarget } from '../submission/types.ts';

export interface FormQuestionsSource {
  questions(job: JobTarget): Promise<FormQuestion[]>;
}

const questionsSchema = z.object({
  questions: z
    .array(
      z.object({
        label: z.string(),
        required: z.boolean().nullish(),
        fields: z.array(
          z.object({
            name: z.string(),
            type: z.string(),
            values: z
              .array(z.object({ label: z.string(), value: z.union([z.string(), z.number()]) }))
              .nullish(),
          }),
        ),
      }),
    )
    .nullish(),
});

export class GreenhouseQuestions implements FormQuestionsSource {
  constructor(private readonly options: { baseUrl: string; timeoutMs?: number }) {}

  async questions(job: JobTarget): Promise<FormQuestion[]> {
    if (job.provider !== 'greenhouse' || !job.boardToken || !job.externalId) return [];
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const url = `${base}/boards/${encodeURIComponent(job.boardToken)}/jobs/${encodeURIComponent(job.externalId)}?questions=true`;
    const timeoutMs = this.options.timeoutMs ?? 20_000;
    const res = await request(url, {
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    if (res.statusCode === 404) return [];
    if (res.statusCode !== 200) throw new Error(`Greenhouse answered ${res.statusCode}`);
    const parsed = questionsSchema.parse(JSON.parse(text));
    return (parsed.questions ?? []).map((q) => ({
      label: q.label,
      required: q.required === true,
      fields: q.fields.map((f) => ({
        name: f.name,
        type: f.type,
        ...(f.values ? { values: f.values } : {}),
      })),
    }));
  }
}
