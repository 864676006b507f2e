/**
 * Access tokens (HS256 JWT via jose, `sub` = user id) and opaque refresh
 * tokens, of which only a SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../../lib/ids.ts';
import { InvalidTokenError } from '../errors.ts';

const ISSUER = 'cellular-router';
const AUDIENCE = 'cellular-api';

export interface AccessTokenIssuerOptions {
  secret: string;
  /** @defaultValue 900 */
  ttlSeconds?: number;
}

export class AccessTokens {
  readonly #key: Uint8Array;
  readonly ttlSeconds: number;

  constructor(options: AccessTokenIssuerOptions) {
    this.#key = new TextEncoder().encode(options.secret);
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

  /** The user id of a valid token; throws {@link InvalidTokenError} saying why not. */
  async verify(token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      if (typeof payload.sub !== 'string' || !isUuid(payload.sub)) {
        throw new InvalidTokenError('Access token has no valid subject');
      }
      return payload.sub;
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
