/**
 * Signatures of outgoing webhooks (the `webhook` submission channel, and the
 * per-user status-change webhook): HMAC-SHA256 over `<timestamp>.<body>`.
 *
 * Headers: `x-webhook-timestamp: <unix seconds>` and
 * `x-signature: sha256=<hex>`. Signing the timestamp with the body lets a
 * receiver refuse replays older than its tolerance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_HEADERS = {
  signature: 'x-signature',
  timestamp: 'x-webhook-timestamp',
  idempotencyKey: 'idempotency-key',
} as const;

function mac(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** Returns the signature headers for `body` at `nowMs`. */
export function signWebhook(
  secret: string,
  body: string | Buffer,
  nowMs = Date.now(),
): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: `sha256=${mac(secret, timestamp, body)}`,
  };
}

export interface VerifyWebhookOptions {
  /** Oldest timestamp accepted, in seconds. @defaultValue 300 */
  toleranceSeconds?: number;
  nowMs?: number;
}

/** Verifies a received webhook; returns why it was refused, if it was. */
export function verifyWebhook(
  secret: string,
  headers: { signature?: string | null; timestamp?: string | null },
  body: string | Buffer,
  options: VerifyWebhookOptions = {},
): { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' } {
  if (!headers.signature || !headers.timestamp) return { ok: false, reason: 'missing' };
  const match = /^sha256=([0-9a-f]{64})$/.exec(headers.signature);
  if (!match?.[1] || !/^\d{1,12}$/.test(headers.timestamp))
    return { ok: false, reason: 'malformed' };
  const timestamp = Number(headers.timestamp);
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) {
    return { ok: false, reason: 'stale' };
  }
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  const given = Buffer.from(match[1], 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
