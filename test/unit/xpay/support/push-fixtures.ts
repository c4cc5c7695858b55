import {
  resolvePushConfig,
  sealPush,
  type PushFormat,
  type PushMode,
  type SealedPush,
} from '../../../../server/src/xpay/index.js';

export const APPID = 'wx0123456789abcdef';
export const TOKEN = 'TokenTill2026';
/** 43 characters, as the console generates. */
export const AES_KEY = 'kWxPqT3uYvZ8aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0u';
/** The moment every forged push is sent at (ms). */
export const NOW = Date.UTC(2026, 6, 19, 4, 30, 0);
export const NOW_S = NOW / 1000;

export function configFor(mode: PushMode = 'safe') {
  return resolvePushConfig({ token: TOKEN, encodingAesKey: AES_KEY, appid: APPID, mode });
}

/** A goods-delivery push as WeChat documents it. */
export function deliverMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ToUserName: 'gh_0123456789ab',
    FromUserName: 'oKVs55Aa0Q-DJVMEwUsR8BvPXVTw',
    CreateTime: NOW_S,
    MsgType: 'event',
    Event: 'xpay_goods_deliver_notify',
    OpenId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    OutTradeNo: 'TTm5x1k2a0123456789abcdef',
    Env: 1,
    WeChatPayInfo: {
      MchOrderNo: 'xpay_mch_0001',
      TransactionId: '4200002345202607195555555555',
      PaidTime: NOW_S - 2,
    },
    GoodsInfo: {
      ProductId: 'answer_standard',
      Quantity: 1,
      OrigPrice: 100,
      ActualPrice: 100,
      Attach: 'tier:standard',
    },
    ...overrides,
  };
}

/** Seals a message as WeChat would (safe mode by default). */
export function sealed(
  message: Record<string, unknown> = deliverMessage(),
  options: { format?: PushFormat; encrypted?: boolean; timestamp?: number; mode?: PushMode } = {},
): SealedPush {
  return sealPush(message, configFor(options.mode ?? 'safe'), {
    format: options.format ?? 'json',
    encrypted: options.encrypted ?? true,
    timestamp: options.timestamp ?? NOW_S,
    nonce: '1320562132',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  });
}

/** The request shape openPush takes. */
export function requestOf(push: SealedPush) {
  return { query: push.query, rawBody: Buffer.from(push.body, 'utf8') };
}
