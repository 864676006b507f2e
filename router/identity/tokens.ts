/**
 * Access tokens (HS256 JWT via jose, `sub` = user id) and opaque refresh
 * tokens, of which only a SHA-256 is stored.
 */
import { createHash, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../../lib/ids.ts';
import { InvalidTokenError } from '../errors.ts';

const ISSUER = 'cellular-router';
const AUDIENCE = 'cellular-api';

export interface AccessTokenIssuerOptions {
  secret: string;
  /** @defaultValue 900 */
  ttlSeconds?: number;
  /** Verified tokens remembered until they expire, so a client's next request skips the HMAC. @defaultValue 50000 */
  cacheSize?: number;
}

interface VerifiedToken {
  token: string;
  sub: string;
  expMs: number;
}

/** An HS256 signature in base64url: 32 bytes, 43 characters. */
const SIGNATURE_CHARS = 43;

/**
 * The cache key of a token: its last 43 characters, an HS256 token's signature segment. Only
 * a key: an entry counts for the exact token it was verified for.
 */
function signatureOf(token: string): string {
  return token.slice(-SIGNATURE_CHARS);
}

export class AccessTokens {
  readonly #key: KeyObject;
  readonly ttlSeconds: number;
  // jose verifies through WebCrypto (~70 µs a token); a client sends the same token for
  // 15 minutes, so remembering the verdict until `exp` removes most of that cost. Keyed by the
  // signature segment (43 characters): each request's token is a new string, and V8 hashes a
  // Map key whole, so the whole token (~250 characters) cost ~0.35 µs a lookup. An entry only
  // counts for the exact token it was verified for.
  readonly #verified = new Map<string, VerifiedToken>();
  readonly #cacheSize: number;

  constructor(options: AccessTokenIssuerOptions) {
    this.#cacheSize = options.cacheSize ?? 50_000;
    this.#key = createSecretKey(Buffer.from(options.secret, 'utf8'));
    this.ttlSeconds = options.ttlSeconds ?? 900;
  }

  async issue(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.#key);
  }

  /**
   * The user id of a token verified before and not expired yet, synchronously;
   * undefined otherwise (then {@link verify} decides). The proxy's hot path
   * takes this first, so a known token costs no promise.
   */
  cachedSubject(token: string): string | undefined {
    const cached = this.#verified.get(signatureOf(token));
    return cached?.token === token && cached.expMs > Date.now() ? cached.sub : undefined;
  }

  /** The user id of a valid token; throws {@link InvalidTokenError} saying why not. */
  async verify(token: string): Promise<string> {
    const key = signatureOf(token);
    const cached = this.#verified.get(key);
    // Another token with the same signature segment is not this one: it is verified in full.
    if (cached?.token === token) {
      if (cached.expMs > Date.now()) return cached.sub;
      this.#verified.delete(key);
      throw new InvalidTokenError('Access token expired');
    }
    const { sub, expMs } = await this.#verifyFully(token);
    if (this.#verified.size >= this.#cacheSize) {
      // Oldest first: Map iteration follows insertion order.
      const oldest = this.#verified.keys().next();
      if (!oldest.done) this.#verified.delete(oldest.value);
    }
    this.#verified.set(key, { token, sub, expMs });
    return sub;
  }

  async #verifyFully(token: string): Promise<{ sub: string; expMs: number }> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      if (typeof payload.sub !== 'string' || !isUuid(payload.sub)) {
        throw new InvalidTokenError('Access token has no valid subject');
      }
      if (typeof payload.exp !== 'number')
        throw new InvalidTokenError('Access token has no expiry');
      return { sub: payload.sub, expMs: payload.exp * 1000 };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new InvalidTokenError('Access token expired');
      throw new InvalidTokenError('Invalid access token');
    }
  }
}

/** A new opaque refresh token (256 random bits). */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
