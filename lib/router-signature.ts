/**
 * Router-signed identity. The router is the only party that knows which user a
 * request belongs to; it tells the cell with `x-user-id` and proves it with an
 * HMAC the router and the cells share. A cell port reached directly therefore
 * grants access to nobody.
 *
 * Signature header: `x-router-signature: t=<unix ms>,v1=<hex hmac-sha256>` over
 * `v1\n<userId>\n<requestId>\n<cellId>\n<t>`. The cell id is signed too, so a
 * signature minted for one cell cannot be replayed against another.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const IDENTITY_HEADERS = {
  userId: 'x-user-id',
  cellId: 'x-cell-id',
  requestId: 'x-request-id',
  signature: 'x-router-signature',
} as const;

export interface SignedIdentity {
  userId: string;
  requestId: string;
  cellId: string;
}

function mac(secret: string, identity: SignedIdentity, timestamp: number): string {
  return createHmac('sha256', secret)
    .update(`v1\n${identity.userId}\n${identity.requestId}\n${identity.cellId}\n${timestamp}`)
    .digest('hex');
}

/** Returns the `x-router-signature` value for an identity at `now`. */
export function signIdentity(secret: string, identity: SignedIdentity, now = Date.now()): string {
  return `t=${now},v1=${mac(secret, identity, now)}`;
}

export type SignatureFailure = 'missing' | 'malformed' | 'stale' | 'mismatch';

export interface VerifyOptions {
  /** Oldest signature accepted. @defaultValue 30_000 */
  maxAgeMs?: number;
  /** Tolerated clock skew into the future. @defaultValue 5_000 */
  maxSkewMs?: number;
  now?: number;
}

const SIGNATURE_FORMAT = /^t=(\d{10,16}),v1=([0-9a-f]{64})$/;

/** Verifies a signature; returns `ok` or the reason it was refused. */
export function verifyIdentity(
  secret: string,
  identity: Partial<SignedIdentity>,
  signature: string | undefined | null,
  options: VerifyOptions = {},
): { ok: true } | { ok: false; reason: SignatureFailure } {
  if (!signature || !identity.userId || !identity.requestId || !identity.cellId) {
    return { ok: false, reason: 'missing' };
  }
  const match = SIGNATURE_FORMAT.exec(signature);
  if (!match?.[1] || !match[2]) return { ok: false, reason: 'malformed' };
  const timestamp = Number(match[1]);
  const now = options.now ?? Date.now();
  if (
    now - timestamp > (options.maxAgeMs ?? 30_000) ||
    timestamp - now > (options.maxSkewMs ?? 5_000)
  ) {
    return { ok: false, reason: 'stale' };
  }
  const expected = Buffer.from(mac(secret, identity as SignedIdentity, timestamp), 'hex');
  const given = Buffer.from(match[2], 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'mismatch' };
  }
  return { ok: true };
}
