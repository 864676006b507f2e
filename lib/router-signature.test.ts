import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signIdentity, verifyIdentity } from './router-signature.ts';

const secret = 'k'.repeat(40);
const identity = { userId: 'u-1', requestId: 'req-12345678', cellId: 'cell-1' };

describe('router signature', () => {
  it('verifies what it signed', () => {
    expect(verifyIdentity(secret, identity, signIdentity(secret, identity))).toEqual({ ok: true });
  });

  it('refuses any change to the signed identity', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('userId', 'requestId', 'cellId'),
        fc.string({ minLength: 1 }),
        (field, value) => {
          fc.pre(value !== identity[field]);
          const signature = signIdentity(secret, identity);
          const verdict = verifyIdentity(secret, { ...identity, [field]: value }, signature);
          expect(verdict).toEqual({ ok: false, reason: 'mismatch' });
        },
      ),
    );
  });

  it('refuses a wrong secret, a stale timestamp, garbage and absence', () => {
    const now = Date.now();
    expect(verifyIdentity(secret, identity, signIdentity('x'.repeat(40), identity))).toMatchObject({
      reason: 'mismatch',
    });
    expect(
      verifyIdentity(secret, identity, signIdentity(secret, identity, now - 60_000), { now }),
    ).toMatchObject({
      reason: 'stale',
    });
    expect(
      verifyIdentity(secret, identity, signIdentity(secret, identity, now + 60_000), { now }),
    ).toMatchObject({
      reason: 'stale',
    });
    expect(verifyIdentity(secret, identity, 't=1,v1=zz')).toMatchObject({ reason: 'malformed' });
    expect(verifyIdentity(secret, identity, undefined)).toMatchObject({ reason: 'missing' });
    expect(verifyIdentity(secret, { userId: 'u' }, signIdentity(secret, identity))).toMatchObject({
      reason: 'missing',
    });
  });
});
