/**
 * The append-only event log. Every state change writes its event in the same
 * transaction as the change, through `appendEvent(tx, ...)`.
 */
import type postgres from 'postgres';
import { newId } from '../../lib/ids.ts';

export const EVENT_TYPES = [
  'user.initialized',
  'profile.updated',
  'job.discovered',
  'job.analyzed',
  'resume.generated',
  'resume.verified',
  'application.submitted',
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
