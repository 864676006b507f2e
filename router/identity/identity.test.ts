import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.ts';
import { InvalidTokenError } from '../errors.ts';
import { LoginLimiter } from './login-limiter.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { AccessTokens, hashRefreshToken, newRefreshToken } from './tokens.ts';

const SECRET = 'unit-secret-unit-secret-unit-secret-unit';

describe('passwords', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse', 10);
    expect(stored).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horsf', stored)).toBe(false);
  });

  it('salts every hash and rejects malformed stored hashes', async () => {
    expect(await hashPassword('same', 10)).not.toBe(await hashPassword('same', 10));
    for (const bad of ['', 'scrypt$10$8$1$abc', 'bcrypt$1$2$3$4$5', 'scrypt$99$8$1$AAAA$AAAA']) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });
});

describe('access tokens', () => {
  const tokens = new AccessTokens({ secret: SECRET, ttlSeconds: 900 });

  it('round-trips the user id and remembers the verdict', async () => {
    const userId = newId();
    const token = await tokens.issue(userId);
    expect(tokens.cachedSubject(token)).toBeUndefined();
    expect(await tokens.verify(token)).toBe(userId);
    expect(tokens.cachedSubject(token)).toBe(userId);
    expect(await tokens.verify(token)).toBe(userId);
  });

  it('rejects expired, wrongly signed, tampered and foreign-algorithm tokens', async () => {
    const userId = newId();
    const sign = (secret: string, exp: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuer('cellular-router')
        .setAudience('cellular-api')
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(secret));
    const good = await tokens.issue(userId);
    const cases = [
      await sign(SECRET, '-1s'),
      await sign('other-secret-other-secret-other-secret-other', '10m'),
      `${good.slice(0, -2)}xx`,
      'a.b.c',
      '',
      `eyJhbGciOiJub25lIn0.${good.split('.')[1]}.`,
    ];
    for (const token of cases) {
      await expect(tokens.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
    }
  });

  it('never answers a token from the cache entry of another with the same signature', async () => {
    const userId = newId();
    const good = await tokens.issue(userId);
    expect(await tokens.verify(good)).toBe(userId);
    const [, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: newId() })).toString(
      'base64url',
    );
    const forged = `eyJhbGciOiJIUzI1NiJ9.${forgedPayload}.${signature}`;
    expect(tokens.cachedSubject(forged)).toBeUndefined();
    await expect(tokens.verify(forged)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(tokens.cachedSubject(good)).toBe(userId);
  });

  it('stops accepting a cached token once it expires', async () => {
    const short = new AccessTokens({ secret: SECRET, ttlSeconds: 1 });
    const token = await short.issue(newId());
    await short.verify(token);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(short.cachedSubject(token)).toBeUndefined();
    await expect(short.verify(token)).rejects.toThrow(/expired/);
  });

  it('makes refresh tokens random and stores only their hash', () => {
    const a = newRefreshToken();
    expect(a).not.toBe(newRefreshToken());
    expect(hashRefreshToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(a)).not.toContain(a);
  });
});

describe('LoginLimiter in memory (no shared Redis)', () => {
  it('allows `limit` attempts per window, then says how long to wait', async () => {
    const limiter = new LoginLimiter({ name: 'test', limit: 3, windowMs: 60_000 });
    expect(await Promise.all([1, 2, 3].map(() => limiter.hit('k')))).toEqual([0, 0, 0]);
    const wait = await limiter.hit('k');
    expect(wait).toBeGreaterThan(55);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await limiter.hit('other')).toBe(0);
    expect(limiter.shared).toBe(false);
  });

  it('forgets a key on reset, and counts again after the window', async () => {
    const limiter = new LoginLimiter({ name: 'test', limit: 1, windowMs: 1_000 });
    await limiter.hit('a');
    expect(await limiter.hit('a')).toBeGreaterThan(0);
    await limiter.reset('a');
    expect(await limiter.hit('a')).toBe(0);
    await limiter.hit('b');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await limiter.hit('b')).toBe(0);
  });
});
