/**
 * The sandbox Mini Program's virtual-payment settings: offer id, the two AppKeys, the push Token and
 * EncodingAESKey, and its original id (`gh_…`). Derived from the sandbox keys' identity secret, so they are stable
 * across restarts and shared by every process pointed at the same keys directory without a new key file.
 * Private material: never log or serve the AppKeys, Token or AES key.
 */
import { createHmac } from 'node:crypto';

import type { SandboxKeys } from '../sandbox-keys.js';

/** What the server must be configured with to talk to the emulated virtual payment. */
export interface XPaySandboxCredentials {
  /** XPAY_OFFER_ID: 10 digits. */
  offerId: string;
  /** XPAY_APP_KEY (signs env 0). */
  appKey: string;
  /** XPAY_SANDBOX_APP_KEY (signs env 1). */
  sandboxAppKey: string;
  /** WECHAT_PUSH_TOKEN: 32 letters and digits. */
  pushToken: string;
  /** WECHAT_PUSH_AES_KEY: 43 letters and digits. */
  pushAesKey: string;
  /** The Mini Program's original id, the pushes' ToUserName. */
  originalId: string;
  /** The Mini Program appid (the keys' appid): safe-mode ciphertexts carry it. */
  appid: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of `alphabet`, derived from the secret and a label (a different label, another value). */
function derive(secret: string, label: string, length: number, alphabet: string): string {
  let out = '';
  for (let block = 0; out.length < length; block++) {
    const bytes = createHmac('sha256', secret).update(`tokentill-xpay-sandbox/${label}/${block}`).digest();
    // Rejection sampling keeps the characters uniform.
    for (const byte of bytes) {
      if (byte < 256 - (256 % alphabet.length) && out.length < length)
        out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** The sandbox's virtual-payment credentials for these keys. */
export function xpayCredentialsOf(keys: SandboxKeys): XPaySandboxCredentials {
  const secret = keys.identitySecret;
  return {
    offerId: `1${derive(secret, 'offer-id', 9, '0123456789')}`,
    appKey: derive(secret, 'app-key', 32, ALNUM),
    sandboxAppKey: derive(secret, 'sandbox-app-key', 32, ALNUM),
    pushToken: derive(secret, 'push-token', 32, ALNUM),
    pushAesKey: derive(secret, 'push-aes-key', 43, ALNUM),
    originalId: `gh_${derive(secret, 'original-id', 12, '0123456789abcdef')}`,
    appid: keys.appid,
  };
}
