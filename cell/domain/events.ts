/**
 * The append-only event log. Every state change writes its event in the same
 * transaction as the change, through `appendEvent(tx, ...)`.
 */
import type postgres from 'postgres';
import { newId } from '../../lib/ids.ts';
import { jsonRows } from '../infra/json-rows.ts';

export const EVENT_TYPES = [
  'user.initialized',
  'profile.updated',
  'job_source.added',
  'job_source.removed',
  'job.discovered',
  'job.analyzed',
  'job.status_changed',
  'resume.generated',
  'resume.verified',
  'resume.rerendered',
  'application.submitted',
  'application.resubmitting',
  'response.received',
  'workflow.completed',
  'workflow.failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  type: EventType;
  userId: string;
  data?: Record<string, unknown>;
  correlationId?: string | null;
  causationId?: string | null;
}

export interface StoredEvent {
  id: string;
  type: EventType;
  userId: string;
  occurredAt: string;
  data: Record<string, unknown>;
  correlationId: string | null;
  causationId: string | null;
}

/** Writes one event; pass the transaction that makes the change it records. */
export async function appendEvent(
  sql: postgres.Sql | postgres.TransactionSql,
  event: NewEvent,
): Promise<string> {
  const id = newId();
  await sql`
    insert into events (id, user_id, type, data, correlation_id, causation_id)
    values (${id}, ${event.userId}, ${event.type}, ${sql.json((event.data ?? {}) as postgres.JSONValue)},
            ${event.correlationId ?? null}, ${event.causationId ?? null})`;
  return id;
}

/** Writes many events in one statement; pass the transaction that makes the changes. */
export async function appendEvents(
  sql: postgres.Sql | postgres.TransactionSql,
  events: NewEvent[],
): Promise<number> {
  const CHUNK = 2_000;
  for (let i = 0; i < events.length; i += CHUNK) {
    const rows = events.slice(i, i + CHUNK).map((event) => ({
      id: newId(),
      user_id: event.userId,
      type: event.type,
      data: event.data ?? {},
      correlation_id: event.correlationId ?? null,
      causation_id: event.causationId ?? null,
    }));
    await sql`
      insert into events (id, user_id, type, data, correlation_id, causation_id)
      select id, user_id, type, data, correlation_id, causation_id
      from jsonb_to_recordset(${jsonRows(sql, rows)})
        as x(id uuid, user_id uuid, type text, data jsonb, correlation_id uuid, causation_id uuid)`;
  }
  return events.length;
}
