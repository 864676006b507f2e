/** Reading a user's append-only event log back, in order, for audit and replay. */
import type postgres from 'postgres';
import type { EventType, StoredEvent } from './events.ts';

export class EventsLogService {
  constructor(private readonly sql: postgres.Sql) {}

  /** Events after `after` (an event id, exclusive), oldest first. */
  async read(
    userId: string,
    query: { after?: string; type?: EventType; limit: number },
  ): Promise<{ events: StoredEvent[]; hasMore: boolean }> {
    const sql = this.sql;
    const rows = await sql<StoredEvent[]>`
      select id, type, user_id as "userId", occurred_at as "occurredAt", data,
        correlation_id as "correlationId", causation_id as "causationId"
      from events
      where user_id = ${userId}
        ${query.after ? sql`and id > ${query.after}` : sql``}
        ${query.type ? sql`and type = ${query.type}` : sql``}
      order by id
      limit ${query.limit + 1}`;
    return { events: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
  }
}
