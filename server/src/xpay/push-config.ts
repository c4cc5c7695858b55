/**
 * What a push endpoint is configured with, as set in mp.weixin.qq.com → 开发 → 开发管理 → 消息推送:
 * the Token, the EncodingAESKey and the 加解密方式 (明文 plaintext / 兼容 compatible / 安全 safe).
 */
import { decodeEncodingAesKey } from './push-crypto.js';

/** 明文 plaintext, 兼容 compatible (plaintext fields plus Encrypt), 安全 safe (Encrypt only). */
export type PushMode = 'plaintext' | 'compatible' | 'safe';

/** The console settings of one Mini Program's push. */
export interface PushConfig {
  /** The Token: 3–32 letters and digits. */
  token: string;
  /** The 43-character EncodingAESKey; required in compatible and safe mode. */
  encodingAesKey?: string;
  /** The Mini Program's appid: safe-mode ciphertexts must carry it. */
  appid: string;
  mode: PushMode;
  /**
   * How far the push's `timestamp` may be from our clock, in seconds. Default 300. WeChat does not document
   * whether its retries are signed afresh; a retry that arrives later than this with its first timestamp is
   * refused, and the order is then found by `query_order` (see docs/xpay.md).
   */
  maxSkewSeconds?: number;
}

/** A checked {@link PushConfig} with the AES key decoded. */
export interface ResolvedPushConfig {
  token: string;
  appid: string;
  mode: PushMode;
  /** 32 bytes; undefined in plaintext mode. */
  aesKey: Buffer | undefined;
  maxSkewSeconds: number;
}

const TOKEN = /^[A-Za-z0-9]{3,32}$/;
const DEFAULT_MAX_SKEW_SECONDS = 300;

/**
 * Checks the settings once, so a typo fails at boot rather than as "bad signature" on every push.
 *
 * @throws TypeError naming the bad setting.
 */
export function resolvePushConfig(config: PushConfig): ResolvedPushConfig {
  if (!TOKEN.test(config.token)) throw new TypeError('The push Token must be 3–32 letters or digits');
  if (config.appid === '') throw new TypeError('The push config needs the appid');
  if (!['plaintext', 'compatible', 'safe'].includes(config.mode)) {
    throw new TypeError('The push mode must be plaintext, compatible or safe');
  }
  const encrypted = config.mode !== 'plaintext';
  if (encrypted && config.encodingAesKey === undefined) {
    throw new TypeError(`The EncodingAESKey is required in ${config.mode} mode`);
  }
  const maxSkewSeconds = config.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  if (!(maxSkewSeconds > 0)) throw new TypeError('maxSkewSeconds must be positive');
  return {
    token: config.token,
    appid: config.appid,
    mode: config.mode,
    aesKey: encrypted && config.encodingAesKey ? decodeEncodingAesKey(config.encodingAesKey) : undefined,
    maxSkewSeconds,
  };
}
