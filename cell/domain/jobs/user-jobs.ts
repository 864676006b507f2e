/**
 * Linking jobs to users: a (user, job) row is created once, and each new link
 * writes that user's `job.discovered` event in the same transaction.
 */
import type postgres from 'postgres';
import { jsonRows } from '../../infra/json-rows.ts';
import { appendEvents } from '../events.ts';

export interface JobLink {
  userId: string;
  jobId: string;
  /** Event data: where the job came from. */
  data: Record<string, unknown>;
}

/** Inserts the links that do not exist yet; returns the ones created. */
export async function linkJobsToUsers(
  tx: postgres.TransactionSql,
  links: JobLink[],
): Promise<JobLink[]> {
  const created: JobLink[] = [];
  const CHUNK = 5_000;
  for (let i = 0; i < links.length; i += CHUNK) {
    const chunk = links.slice(i, i + CHUNK);
    const rows = await tx<{ user_id: string; job_id: string }[]>`
      insert into user_jobs (user_id, job_id)
      select user_id, job_id
      from jsonb_to_recordset(${jsonRows(
        tx,
        chunk.map((l) => ({ user_id: l.userId, job_id: l.jobId })),
      )})
        as x(user_id uuid, job_id uuid)
      on conflict do nothing
      returning user_id, job_id`;
    const inserted = new Set(rows.map((row) => `${row.user_id}/${row.job_id}`));
    for (const link of chunk) {
      const key = `${link.userId}/${link.jobId}`;
      if (inserted.delete(key)) created.push(link);
    }
  }
  await appendEvents(
    tx,
    created.map((link) => ({
      type: 'job.discovered' as const,
      userId: link.userId,
      data: { jobId: link.jobId, ...link.data },
    })),
  );
  return created;
}
