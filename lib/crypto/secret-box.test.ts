import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSecretBox, parseSecretsKey, SecretBoxError, secretsKeyField } from './secret-box.ts';

const key = randomBytes(32);
const box = createSecretBox(key);

/** Flips one bit of one byte of one part (iv, tag or ciphertext) of a sealed value. */
function flipBit(sealed: string, part: number, byte: number, bit: number): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  const index = byte % bytes.length;
  bytes[index] = (bytes[index] ?? 0) ^ (1 << bit);
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('secret box', () => {
  it('opens what it sealed, for any text including Unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (plaintext) => {
        expect(box.openText(box.seal(plaintext))).toBe(plaintext);
      }),
    );
  });

  it('writes the versioned v1:<iv>:<tag>:<ciphertext> base64url format with a fresh IV each time', () => {
    const first = box.seal('gh_live_0123');
    const second = box.seal('gh_live_0123');
    expect(first).toMatch(/^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('gh_live');
  });

  it('detects tampering with any bit of the IV, tag or ciphertext', () => {
    const sealed = box.seal('employer-api-key');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (part, byte, bit) => {
          expect(() => box.open(flipBit(sealed, part, byte, bit))).toThrow(
            expect.objectContaining({ reason: 'authentication_failed' }),
          );
        },
      ),
    );
  });

  it('refuses to open with the wrong key', () => {
    const sealed = box.seal('employer-api-key');
    const other = createSecretBox(randomBytes(32));
    expect(() => other.open(sealed)).toThrow(
      expect.objectContaining({ reason: 'authentication_failed' }),
    );
  });

  it('refuses to open under another context (a value copied to another row)', () => {
    const sealed = box.seal('k', { context: 'user-a:greenhouse' });
    expect(box.openText(sealed, { context: 'user-a:greenhouse' })).toBe('k');
    expect(() => box.open(sealed, { context: 'user-b:greenhouse' })).toThrow(SecretBoxError);
    expect(() => box.open(sealed)).toThrow(SecretBoxError);
  });

  it('rejects malformed and unknown-version values with a clear reason', () => {
    expect(() => box.open('nope')).toThrow(expect.objectContaining({ reason: 'malformed' }));
    const [, iv, tag, ct] = box.seal('x').split(':');
    expect(() => box.open(`v2:${iv}:${tag}:${ct}`)).toThrow(
      expect.objectContaining({ reason: 'unsupported_version' }),
    );
    expect(() => box.open(`v1:${iv}:${tag}:${ct}!`)).toThrow(
      expect.objectContaining({ reason: 'malformed' }),
    );
  });

  it('accepts only a base64 key of exactly 32 bytes', () => {
    expect(parseSecretsKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretsKey(key.toString('base64url'))).toEqual(key);
    expect(secretsKeyField.safeParse(key.toString('base64')).success).toBe(true);
    expect(secretsKeyField.safeParse(randomBytes(16).toString('base64')).success).toBe(false);
    expect(secretsKeyField.safeParse('not a key').success).toBe(false);
    expect(() => createSecretBox(randomBytes(31))).toThrow(/32 bytes/);
  });
});
