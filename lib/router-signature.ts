/**
 * Router-signed identity. The router is the only party that knows which user a
 * request belongs to; it tells the cell with `x-user-id` and proves it with an
 * HMAC the router and the cells share. A cell port reached directly therefore
 * grants access to nobody.
 *
 * Signature header: `x-router-signature: t=<unix ms>,v2=<hex hmac-sha256>` over
 * `v2\n<userId>\n<cellId>\n<t>`. The cell id is signed too, so a signature
 * minted for one cell cannot be replayed against another; a cell accepts it
 * for `maxAgeMs` (30 s) after `t`.
 *
 * The request id is not signed (it names a request in the logs; binding it
 * stopped no replay, since a captured request could be sent again whole
 * within the same 30 s). So one signature serves all of a user's requests to a
 * cell for a while: {@link IdentitySigner} reuses it for up to a second, and
 * the router pays the HMAC about once per active user per second instead of
 * once per request.
 *
 * Cells also accept the previous form, `v1=` over
 * `v1\n<userId>\n<requestId>\n<cellId>\n<t>`, so routers of the previous
 * release keep working while cells are upgraded first.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const IDENTITY_HEADERS = {
  userId: 'x-user-id',
  cellId: 'x-cell-id',
  requestId: 'x-request-id',
  signature: 'x-router-signature',
} as const;

/**
 * The identity the router signs a request about several users with (a
 * migration's batch of users): the nil UUID, which no user has, so no
 * signature made for a user's request opens these routes.
 */
export const ROUTER_BATCH_ACTOR = '00000000-0000-0000-0000-000000000000';

export interface SignedIdentity {
  userId: string;
  cellId: string;
}

/** What a cell reads from a request's headers; the request id only counts for `v1`. */
export interface ClaimedIdentity {
  userId?: string;
  cellId?: string;
  requestId?: string;
}

function mac(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

function v2Message(identity: SignedIdentity, timestamp: number): string {
  return `v2\n${identity.userId}\n${identity.cellId}\n${timestamp}`;
}

/** Returns the `x-router-signature` value for an identity at `now`. */
export function signIdentity(secret: string, identity: SignedIdentity, now = Date.now()): string {
  return `t=${now},v2=${mac(secret, v2Message(identity, now))}`;
}

export interface IdentitySignerOptions {
  /** How long one signature serves a user's requests to a cell. @defaultValue 1000 */
  reuseMs?: number;
  /** Signatures remembered at most (oldest dropped first). @defaultValue 50000 */
  maxEntries?: number;
}

/**
 * {@link signIdentity} for the proxy's hot path: a user's signature for a cell
 * is reused for `reuseMs` (far inside the cells' 30 s acceptance), so a burst
 * of one user's requests costs one HMAC.
 */
export class IdentitySigner {
  readonly #reuseMs: number;
  readonly #maxEntries: number;
  // By user: a user's requests all go to their one cell, so one entry each (a move re-signs).
  readonly #signed = new Map<string, { cellId: string; at: number; value: string }>();

  constructor(
    private readonly secret: string,
    options: IdentitySignerOptions = {},
  ) {
    this.#reuseMs = options.reuseMs ?? 1_000;
    this.#maxEntries = options.maxEntries ?? 50_000;
  }

  sign(identity: SignedIdentity, now = Date.now()): string {
    const cached = this.#signed.get(identity.userId);
    if (
      cached &&
      cached.cellId === identity.cellId &&
      now >= cached.at &&
      now - cached.at < this.#reuseMs
    ) {
      return cached.value;
    }
    const value = signIdentity(this.secret, identity, now);
    if (cached) this.#signed.delete(identity.userId);
    else if (this.#signed.size >= this.#maxEntries) {
      // Oldest first: Map iteration follows insertion order, and a re-signed user moves to the end.
      const oldest = this.#signed.keys().next();
      if (!oldest.done) this.#signed.delete(oldest.value);
    }
    this.#signed.set(identity.userId, { cellId: identity.cellId, at: now, value });
    return value;
  }

  /** Signatures remembered now (for tests and metrics). */
  get size(): number {
    return this.#signed.size;
  }
}

export type SignatureFailure = 'missing' | 'malformed' | 'stale' | 'mismatch';

export interface VerifyOptions {
  /** Oldest signature accepted. @defaultValue 30_000 */
  maxAgeMs?: number;
  /** Tolerated clock skew into the future. @defaultValue 5_000 */
  maxSkewMs?: number;
  now?: number;
}

const SIGNATURE_FORMAT = /^t=(\d{10,16}),(v1|v2)=([0-9a-f]{64})$/;

/** Verifies a signature; returns `ok` or the reason it was refused. */
export function verifyIdentity(
  secret: string,
  identity: ClaimedIdentity,
  signature: string | undefined | null,
  options: VerifyOptions = {},
): { ok: true } | { ok: false; reason: SignatureFailure } {
  if (!signature || !identity.userId || !identity.cellId) {
    return { ok: false, reason: 'missing' };
  }
  const match = SIGNATURE_FORMAT.exec(signature);
  if (!match?.[1] || !match[3]) return { ok: false, reason: 'malformed' };
  const version = match[2];
  if (version === 'v1' && !identity.requestId) return { ok: false, reason: 'missing' };
  const timestamp = Number(match[1]);
  const now = options.now ?? Date.now();
  if (
    now - timestamp > (options.maxAgeMs ?? 30_000) ||
    timestamp - now > (options.maxSkewMs ?? 5_000)
  ) {
    return { ok: false, reason: 'stale' };
  }
  const message =
    version === 'v1'
      ? `v1\n${identity.userId}\n${identity.requestId}\n${identity.cellId}\n${timestamp}`
      : v2Message(identity as SignedIdentity, timestamp);
  const expected = Buffer.from(mac(secret, message), 'hex');
  const given = Buffer.from(match[3], 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'mismatch' };
  }
  return { ok: true };
}
