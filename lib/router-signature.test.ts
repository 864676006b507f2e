import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentitySigner, signIdentity, verifyIdentity } from './router-signature.ts';

const secret = 'k'.repeat(40);
const identity = { userId: 'u-1', cellId: 'cell-1' };

describe('router signature', () => {
  it('verifies what it signed, whatever the request id', () => {
    const signature = signIdentity(secret, identity);
    expect(signature).toMatch(/^t=\d+,v2=[0-9a-f]{64}$/);
    expect(verifyIdentity(secret, identity, signature)).toEqual({ ok: true });
    expect(verifyIdentity(secret, { ...identity, requestId: 'any' }, signature)).toEqual({
      ok: true,
    });
  });

  it('refuses any change to the signed identity', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('userId', 'cellId'),
        fc.string({ minLength: 1 }),
        (field: 'userId' | 'cellId', value) => {
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
    expect(verifyIdentity(secret, identity, 't=1,v2=zz')).toMatchObject({ reason: 'malformed' });
    expect(verifyIdentity(secret, identity, `t=${now},v3=${'0'.repeat(64)}`)).toMatchObject({
      reason: 'malformed',
    });
    expect(verifyIdentity(secret, identity, undefined)).toMatchObject({ reason: 'missing' });
    expect(verifyIdentity(secret, { userId: 'u' }, signIdentity(secret, identity))).toMatchObject({
      reason: 'missing',
    });
  });

  it('still accepts the previous release’s v1 signatures, which bind the request id', () => {
    const now = Date.now();
    const v1 = (requestId: string) =>
      `t=${now},v1=${createHmac('sha256', secret)
        .update(`v1\n${identity.userId}\n${requestId}\n${identity.cellId}\n${now}`)
        .digest('hex')}`;
    const claimed = { ...identity, requestId: 'req-1' };
    expect(verifyIdentity(secret, claimed, v1('req-1'), { now })).toEqual({ ok: true });
    expect(
      verifyIdentity(secret, { ...claimed, requestId: 'req-2' }, v1('req-1'), { now }),
    ).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyIdentity(secret, identity, v1('req-1'), { now })).toEqual({
      ok: false,
      reason: 'missing',
    });
    // A v2 MAC presented as v1 (or the reverse) does not verify.
    const v2 = signIdentity(secret, identity, now);
    expect(verifyIdentity(secret, claimed, v2.replace('v2=', 'v1='), { now })).toMatchObject({
      reason: 'mismatch',
    });
  });
});

describe('IdentitySigner', () => {
  it('reuses a user’s signature for a cell within reuseMs, then signs again', () => {
    const signer = new IdentitySigner(secret, { reuseMs: 1_000 });
    const t0 = 1_800_000_000_000;
    const first = signer.sign(identity, t0);
    expect(first).toBe(signIdentity(secret, identity, t0));
    expect(signer.sign(identity, t0 + 999)).toBe(first);
    const later = signer.sign(identity, t0 + 1_000);
    expect(later).toBe(signIdentity(secret, identity, t0 + 1_000));
    expect(verifyIdentity(secret, identity, later, { now: t0 + 1_000 })).toEqual({ ok: true });
    // A clock that stepped back never gets a signature from the future.
    expect(signer.sign(identity, t0 + 500)).toBe(signIdentity(secret, identity, t0 + 500));
  });

  it('signs each user and each cell apart', () => {
    const signer = new IdentitySigner(secret);
    const now = Date.now();
    const a = signer.sign(identity, now);
    const otherCell = signer.sign({ ...identity, cellId: 'cell-2' }, now);
    const otherUser = signer.sign({ ...identity, userId: 'u-2' }, now);
    // The user signed for cell-2 in between: cell-1 gets a cell-1 signature again, not cell-2's.
    expect(verifyIdentity(secret, identity, signer.sign(identity, now), { now })).toEqual({
      ok: true,
    });
    expect(verifyIdentity(secret, { ...identity, cellId: 'cell-2' }, a, { now })).toMatchObject({
      reason: 'mismatch',
    });
    expect(verifyIdentity(secret, { ...identity, cellId: 'cell-2' }, otherCell, { now })).toEqual({
      ok: true,
    });
    expect(verifyIdentity(secret, { ...identity, userId: 'u-2' }, otherUser, { now })).toEqual({
      ok: true,
    });
  });

  it('remembers at most maxEntries signatures, dropping the oldest', () => {
    const signer = new IdentitySigner(secret, { maxEntries: 3 });
    const now = Date.now();
    for (const userId of ['a', 'b', 'c', 'd']) signer.sign({ userId, cellId: 'cell-1' }, now);
    expect(signer.size).toBe(3);
    // 'a' was dropped: signing it again at a later time gives a fresh signature.
    expect(signer.sign({ userId: 'a', cellId: 'cell-1' }, now + 1)).toBe(
      signIdentity(secret, { userId: 'a', cellId: 'cell-1' }, now + 1),
    );
    // 'd' is still remembered: the same value as at `now`.
    expect(signer.sign({ userId: 'd', cellId: 'cell-1' }, now + 1)).toBe(
      signIdentity(secret, { userId: 'd', cellId: 'cell-1' }, now),
    );
  });
});
