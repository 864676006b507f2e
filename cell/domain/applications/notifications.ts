/**
 * Notifications: what the user is told about their applications (status
 * changes, failures, submissions with an unknown outcome), written in the
 * transaction of the change. Users may add a status webhook; each
 * notification is then POSTed to it, signed with lib/crypto/webhook-signature
 * and retried by a BullMQ queue until it is delivered.
 */
import type postgres from 'postgres';
import { request } from 'undici';
import type { SecretBox } from '../../../lib/crypto/secret-box.ts';
import { signWebhook, WEBHOOK_HEADERS } from '../../../lib/crypto/webhook-signature.ts';
import { newId } from '../../../lib/ids.ts';
import { ChannelNotConfiguredError } from './errors.ts';

export interface NewNotification {
  userId: string;
  applicationId?: string | null;
  type: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface NotificationView {
  id: string;
  applicationId: string | null;
  type: string;
  message: string;
  data: Record<string, unknown>;
  createdAt: string;
  deliveredAt: string | null;
}

/** Writes a notification; pass the transaction of the change it tells about. */
export async function insertNotification(
  sql: postgres.Sql | postgres.TransactionSql,
  notification: NewNotification,
): Promise<string> {
  const id = newId();
  await sql`
    insert into notifications (id, user_id, application_id, type, message, data)
    values (${id}, ${notification.userId}, ${notification.applicationId ?? null},
            ${notification.type}, ${notification.message},
            ${sql.json((notification.data ?? {}) as postgres.JSONValue)})`;
  return id;
}

/** Queues webhook deliveries; job ids are the notification ids, so a repeat is a no-op. */
export interface WebhookDeliveryQueue {
  enqueueWebhookDeliveries(notificationIds: string[]): Promise<void>;
}

export class NotificationsService {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly queue: WebhookDeliveryQueue,
    private readonly secretBox: SecretBox | undefined,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  async list(
    userId: string,
    query: { after?: string; limit: number },
  ): Promise<{ notifications: NotificationView[]; hasMore: boolean }> {
    const rows = await this.sql<NotificationView[]>`
      select id, application_id as "applicationId", type, message, data,
             created_at as "createdAt", delivered_at as "deliveredAt"
      from notifications
      where user_id = ${userId} ${query.after ? this.sql`and id < ${query.after}` : this.sql``}
      order by id desc limit ${query.limit + 1}`;
    return { notifications: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
  }

  async setWebhook(userId: string, url: string, secret: string): Promise<void> {
    const box = this.requireBox();
    const sealed = box.seal(secret, { context: contextOf(userId) });
    await this.sql`
      insert into notification_webhooks (user_id, url, sealed_secret)
      values (${userId}, ${url}, ${sealed})
      on conflict (user_id) do update
        set url = excluded.url, sealed_secret = excluded.sealed_secret, updated_at = now()`;
  }

  async getWebhook(userId: string): Promise<{ url: string; updatedAt: string } | null> {
    const [row] = await this.sql<{ url: string; updatedAt: string }[]>`
      select url, updated_at as "updatedAt" from notification_webhooks where user_id = ${userId}`;
    return row ?? null;
  }

  async removeWebhook(userId: string): Promise<boolean> {
    const deleted = await this.sql`delete from notification_webhooks where user_id = ${userId}`;
    return deleted.count > 0;
  }

  /** Queues the undelivered notifications of an application whose user has a webhook. */
  async dispatchForApplication(applicationId: string): Promise<number> {
    const rows = await this.sql<{ id: string }[]>`
      select n.id from notifications n join notification_webhooks w on w.user_id = n.user_id
      where n.application_id = ${applicationId} and n.delivered_at is null`;
    await this.queue.enqueueWebhookDeliveries(rows.map((r) => r.id));
    return rows.length;
  }

  /** Queues every undelivered notification older than `olderThanMs` (after a crash). */
  async dispatchStale(olderThanMs: number, limit = 500): Promise<number> {
    const rows = await this.sql<{ id: string }[]>`
      select n.id from notifications n join notification_webhooks w on w.user_id = n.user_id
      where n.delivered_at is null
        and n.created_at < now() - ${olderThanMs} * interval '1 millisecond'
      order by n.created_at limit ${limit}`;
    await this.queue.enqueueWebhookDeliveries(rows.map((r) => r.id));
    return rows.length;
  }

  /**
   * POSTs one notification to its user's webhook. Resolves `delivered` or
   * `skipped` (no webhook any more); throws so that the queue retries.
   */
  async deliver(notificationId: string): Promise<'delivered' | 'skipped'> {
    const [row] = await this.sql<
      (NotificationView & { userId: string; url: string | null; sealed: string | null })[]
    >`
      select n.id, n.user_id as "userId", n.application_id as "applicationId", n.type, n.message,
             n.data, n.created_at as "createdAt", n.delivered_at as "deliveredAt",
             w.url, w.sealed_secret as sealed
      from notifications n left join notification_webhooks w on w.user_id = n.user_id
      where n.id = ${notificationId}`;
    if (!row || row.deliveredAt) return 'skipped';
    if (!row.url || !row.sealed) return 'skipped';
    const secret = this.requireBox().openText(row.sealed, { context: contextOf(row.userId) });
    const body = JSON.stringify({
      id: row.id,
      type: row.type,
      applicationId: row.applicationId,
      message: row.message,
      data: row.data,
      createdAt: row.createdAt,
    });
    await this.sql`
      update notifications set delivery_attempts = delivery_attempts + 1 where id = ${row.id}`;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const res = await request(row.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [WEBHOOK_HEADERS.idempotencyKey]: row.id,
        ...signWebhook(secret, body),
      },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new Error(`status webhook answered ${res.statusCode}`);
    }
    await this.sql`update notifications set delivered_at = now() where id = ${row.id}`;
    return 'delivered';
  }

  private requireBox(): SecretBox {
    if (!this.secretBox) {
      throw new ChannelNotConfiguredError(
        'notifications',
        'This cell has no SECRETS_KEY, so it cannot keep a webhook secret',
      );
    }
    return this.secretBox;
  }
}

function contextOf(userId: string): string {
  return `notification-webhook:${userId}`;
}
