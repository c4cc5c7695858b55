import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { PushMode } from '../../../../server/src/xpay/index.js';

/** Where the virtual-payment and message-push vectors live (test/fixtures/xpay-vectors). */
export const XPAY_VECTORS_DIR = path.join(__dirname, '../../../fixtures/xpay-vectors');

interface Sourced {
  id: string;
  tier: 'OFFICIAL' | 'OFFICIAL-SAMPLE' | 'COMMUNITY' | 'DERIVED';
  source: string;
}

/** An HMAC-SHA256 vector: `pay_sig` over `uri&body` under an AppKey, or `signature` over `body` under a key. */
export interface HmacVector extends Sourced {
  kind: 'pay_sig' | 'signature';
  key: string;
  uri?: string;
  body: string;
  /** `match`: the computed value is `expected`; `mismatch`: it is not (and starts/ends as given). */
  expect: 'match' | 'mismatch';
  expected: string;
  computed_prefix?: string;
  computed_suffix?: string;
}

export interface PushSignatureVector extends Sourced {
  token: string;
  timestamp: string;
  nonce: string;
  encrypt?: string;
  expected: string;
}

export interface PushDecryptVector extends Sourced {
  encoding_aes_key: string;
  encrypt: string;
  appid: string;
  message: string;
  random?: string;
  padded_length?: number;
  full_length?: number;
  message_length?: number;
}

export interface PushEncryptVector extends Sourced {
  encoding_aes_key: string;
  appid: string;
  random: string;
  message: string;
  encrypt: string;
  full_length?: number;
  padded_length?: number;
}

export interface VectorPushConfig {
  token: string;
  encoding_aes_key?: string;
  appid: string;
  mode: PushMode;
}

export interface PushRequestVector extends Sourced {
  config: VectorPushConfig;
  method: 'GET' | 'POST';
  query: Record<string, string>;
  body?: string;
  expect: { reply?: string; format?: 'json' | 'xml'; encrypted?: boolean; message?: Record<string, unknown> };
}

export interface PushReplyVector extends Sourced {
  config: VectorPushConfig;
  request_nonce: string;
  timestamp: number;
  random: string;
  payload: string;
  reply: { Encrypt: string; MsgSignature: string; TimeStamp: number; Nonce: string };
}

export interface XPayVectors {
  hmac: HmacVector[];
  push_signature: PushSignatureVector[];
  push_decrypt: PushDecryptVector[];
  push_encrypt: PushEncryptVector[];
  push_requests: PushRequestVector[];
  push_reply: PushReplyVector[];
}

export const xpayVectors = JSON.parse(
  readFileSync(path.join(XPAY_VECTORS_DIR, 'vectors.json'), 'utf8'),
) as XPayVectors;

/** Finds a vector by id in a group; throws when absent. */
export function xpayVector<T extends { id: string }>(group: readonly T[], id: string): T {
  const found = group.find((v) => v.id === id);
  if (!found) throw new Error(`Vector ${id} not found in xpay vectors.json`);
  return found;
}

/** The vector's push settings in the module's shape. */
export function pushConfigOf(config: VectorPushConfig) {
  return {
    token: config.token,
    appid: config.appid,
    mode: config.mode,
    ...(config.encoding_aes_key !== undefined ? { encodingAesKey: config.encoding_aes_key } : {}),
  };
}

/** The vector request's own time (its timestamp), in ms: the vectors are old, so tests run at their moment. */
export function momentOf(query: Record<string, string>): number {
  return Number(query['timestamp']) * 1000;
}
