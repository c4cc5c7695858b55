import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Keeps raw openids out of durable storage and logs. Durable records key on `userKey(openid)` (HMAC-SHA256);
 * the raw value, needed only for `payer.openid` and subscribe messages, is sealed with AES-256-GCM under a key
 * derived from the same secret and lives only in short-lived records.
 */
export interface OpenidVault {
  /** Stable, non-reversible user key (base64url of HMAC-SHA256), safe for keys, metrics and logs. */
  userKey(openid: string): string;
  seal(openid: string): string;
  /** Returns the openid, or throws if the sealed value was tampered with or sealed under another secret. */
  open(sealed: string): string;
}

export function createOpenidVault(secret: string): OpenidVault {
  const hmacKey = Buffer.from(hkdfSync('sha256', secret, 'tokentill', 'openid-hmac', 32));
  const sealKey = Buffer.from(hkdfSync('sha256', secret, 'tokentill', 'openid-seal', 32));
  return {
    userKey: (openid) => createHmac('sha256', hmacKey).update(openid).digest('base64url'),
    seal(openid) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealKey, nonce);
      const body = Buffer.concat([cipher.update(openid, 'utf8'), cipher.final()]);
      return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(sealed) {
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 12 + 16 + 1) throw new Error('sealed openid is too short');
      const decipher = createDecipheriv('aes-256-gcm', sealKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}
