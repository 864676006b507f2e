/**
 * A webhook receiver as a user's automation should be: it verifies the
 * HMAC signature and timestamp, and dedupes on `Idempotency-Key`.
 */
import { verifyWebhook, WEBHOOK_HEADERS } from '../../lib/crypto/webhook-signature.ts';
import { type FakeApiOptions, FakeApplicationApi, type FakeOutcome, json } from './http-fake.ts';

export interface FakeWebhookOptions extends FakeApiOptions {
  secret: string;
}

export async function startFakeWebhookReceiver(
  options: FakeWebhookOptions,
): Promise<FakeApplicationApi> {
  const handle = async (request: Request): Promise<FakeOutcome> => {
    const body = await request.text();
    const verdict = verifyWebhook(
      options.secret,
      {
        signature: request.headers.get(WEBHOOK_HEADERS.signature),
        timestamp: request.headers.get(WEBHOOK_HEADERS.timestamp),
      },
      body,
    );
    if (!verdict.ok) {
      return { kind: 'respond', response: json(401, { error: `signature ${verdict.reason}` }) };
    }
    const payload = JSON.parse(body) as Record<string, unknown>;
    return {
      kind: 'accept',
      application: payload,
      response: () => json(200, { id: `wh-${String(payload.applicationId)}` }),
    };
  };
  return new FakeApplicationApi(handle, options).start();
}
