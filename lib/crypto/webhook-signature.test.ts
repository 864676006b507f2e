import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, WEBHOOK_HEADERS } from './webhook-signature.ts';

const secret = 'whsec_test_0123456789';
const body = JSON.stringify({ applicationId: 'a', candidate: { name: 'Zoë' } });

function headersOf(signed: Record<string, string>) {
  return {
    signature: signed[WEBHOOK_HEADERS.signature],
    timestamp: signed[WEBHOOK_HEADERS.timestamp],
  };
}

describe('webhook signature', () => {
  it('verifies a body signed with the same secret', () => {
    expect(verifyWebhook(secret, headersOf(signWebhook(secret, body)), body)).toEqual({ ok: true });
  });

  it('refuses a changed body, another secret, a stale timestamp and missing headers', () => {
    const signed = headersOf(signWebhook(secret, body));
    expect(verifyWebhook(secret, signed, `${body} `)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook('other', signed, body)).toEqual({ ok: false, reason: 'mismatch' });
    const old = headersOf(signWebhook(secret, body, Date.now() - 600_000));
    expect(verifyWebhook(secret, old, body)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(secret, {}, body)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyWebhook(secret, { signature: 'md5=x', timestamp: '1' }, body)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});
