/**
 * Secret box: authenticated encryption at rest for small secrets (employer API
 * keys, webhook secrets) with AES-256-GCM under one configured 32-byte key.
 *
 * Sealed format: `v1:<iv>:<tag>:<ciphertext>`, each part base64url, with a
 * random 12-byte IV per seal and the 16-byte GCM tag. The version prefix leaves
 * room for a later key rotation or algorithm change without guessing formats.
 * An optional `context` is bound as additional authenticated data, so a sealed
 * value copied to another row (another user or channel) no longer opens.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Why a sealed value could not be opened; the message never contains secret material. */
export class SecretBoxError extends Error {
  constructor(
    readonly reason: 'malformed' | 'unsupported_version' | 'authentication_failed',
    message: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** Decodes a base64 (or base64url) key and checks it is exactly 32 bytes. */
export function parseSecretsKey(encoded: string): Buffer {
  const key = Buffer.from(
    encoded.trim(),
    encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64',
  );
  if (key.length !== KEY_BYTES) {
    throw new Error(`secrets key must decode to ${KEY_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

/** Config field for `SECRETS_KEY`: base64 of 32 random bytes (`openssl rand -base64 32`). */
export const secretsKeyField = z.string().refine(
  (value) => {
    try {
      parseSecretsKey(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be base64 of exactly 32 bytes (openssl rand -base64 32)' },
);

export interface SealOptions {
  /** Bound as additional authenticated data; the same context is needed to open. */
  context?: string;
}

export interface SecretBox {
  seal(plaintext: string | Buffer, options?: SealOptions): string;
  open(sealed: string, options?: SealOptions): Buffer;
  openText(sealed: string, options?: SealOptions): string;
}

/** Builds a secret box from a raw 32-byte key or its base64 encoding. */
export function createSecretBox(key: Buffer | string): SecretBox {
  const keyBytes = typeof key === 'string' ? parseSecretsKey(key) : Buffer.from(key);
  if (keyBytes.length !== KEY_BYTES) throw new Error(`secrets key must be ${KEY_BYTES} bytes`);

  const open = (sealed: string, options: SealOptions = {}): Buffer => {
    const parts = sealed.split(':');
    if (parts.length !== 4) throw new SecretBoxError('malformed', 'sealed value is malformed');
    const [version, ivText, tagText, ciphertextText] = parts as [string, string, string, string];
    if (version !== VERSION) {
      throw new SecretBoxError(
        'unsupported_version',
        `unsupported sealed value version ${version}`,
      );
    }
    if (![ivText, tagText, ciphertextText].every((part) => BASE64URL.test(part))) {
      throw new SecretBoxError('malformed', 'sealed value is not base64url');
    }
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new SecretBoxError('malformed', 'sealed value has a bad IV or tag length');
    }
    const decipher = createDecipheriv('aes-256-gcm', keyBytes, iv, { authTagLength: TAG_BYTES });
    if (options.context !== undefined) decipher.setAAD(Buffer.from(options.context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertextText, 'base64url')),
        decipher.final(),
      ]);
    } catch {
      // Wrong key, wrong context or tampered bytes all look the same, on purpose.
      throw new SecretBoxError('authentication_failed', 'sealed value failed authentication');
    }
  };

  return {
    seal(plaintext, options = {}) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keyBytes, iv, { authTagLength: TAG_BYTES });
      if (options.context !== undefined) cipher.setAAD(Buffer.from(options.context, 'utf8'));
      const input = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      const ciphertext = Buffer.concat([cipher.update(input), cipher.final()]);
      return [
        VERSION,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        ciphertext.toString('base64url'),
      ].join(':');
    },
    open,
    openText(sealed, options) {
      return open(sealed, options).toString('utf8');
    },
  };
}
