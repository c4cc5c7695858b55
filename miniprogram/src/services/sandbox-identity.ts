import Taro from '@tarojs/taro';

/** Storage key of this browser's sandbox login identity. */
export const SANDBOX_IDENTITY_KEY = 'tokentill.sandbox-identity';

/**
 * The sandbox user this browser logs in as (H5 only). The sandbox's WeChat login maps a code
 * `<identity>.<nonce>` to one stable openid per identity, so keeping the identity in storage keeps the same user
 * (and their orders) across reloads, as one WeChat account would.
 */
export function sandboxIdentity(): string {
  const stored: unknown = Taro.getStorageSync(SANDBOX_IDENTITY_KEY);
  if (typeof stored === 'string' && /^[A-Za-z0-9_-]{4,64}$/.test(stored)) return stored;
  const identity = `h5-${randomHex(8)}`;
  Taro.setStorageSync(SANDBOX_IDENTITY_KEY, identity);
  return identity;
}

/** `bytes` random bytes as hex: Web Crypto where there is one, Math.random otherwise (not a secret). */
export function randomHex(bytes: number): string {
  const values = new Uint8Array(bytes);
  if (typeof crypto !== 'undefined' && typeof crypto.getRandomValues === 'function') {
    crypto.getRandomValues(values);
  } else {
    for (let i = 0; i < bytes; i++) values[i] = Math.floor(Math.random() * 256);
  }
  return Array.from(values, (b) => b.toString(16).padStart(2, '0')).join('');
}
