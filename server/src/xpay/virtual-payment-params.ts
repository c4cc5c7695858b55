/**
 * The parameters the Mini Program passes to `wx.requestVirtualPayment` (base library 2.19.2+):
 * `{mode, signData, paySig, signature}`, where `signData` is a JSON *string* serialised here exactly once and
 * signed as those bytes. The Mini Program must hand the string over untouched: parsing and re-serialising it
 * (spaces, key order, number formatting) breaks both signatures.
 * https://developers.weixin.qq.com/miniprogram/dev/api/payment/wx.requestVirtualPayment.html
 */
import { appKeyForEnv, isXPayEnv, type XPayAppKeys, type XPayEnv } from './xpay-env.js';
import { VIRTUAL_PAYMENT_SIGN_URI, computePaySig, computeUserSignature } from './xpay-signature.js';
import { checkFen, checkOutTradeNo, checkText, invalidField } from './xpay-validation.js';

/** `short_series_goods` = 道具直购 (buy an item for cash); `short_series_coin` = 代币充值 (top up coins). */
export type VirtualPaymentMode = 'short_series_goods' | 'short_series_coin';

/** The documented fields of `signData`, in the order of the official example. */
export interface SignDataFields {
  /** 米大师 offer id (mp → 虚拟支付 → 基础配置). A string, as documented, even when it is all digits. */
  offerId: string;
  buyQuantity: number;
  env: XPayEnv;
  /** Only `CNY`. */
  currencyType: 'CNY';
  /** Item mode only: the published item's id. */
  productId?: string;
  /** Item mode only: unit price in fen, checked by WeChat against the console price. */
  goodsPrice?: number;
  /** Optional discounted unit price in fen (at least 40% of goodsPrice); becomes the order's price. */
  activitySellingPrice?: number;
  outTradeNo: string;
  /** Passed through to the delivery push (`GoodsInfo.Attach`). */
  attach: string;
}

/** Inputs of {@link buildGoodsPaymentParams}. */
export interface GoodsPaymentInput {
  offerId: string;
  env: XPayEnv;
  productId: string;
  /** Unit price in fen, as set in the console. */
  goodsPrice: number;
  /** Default 1. */
  buyQuantity?: number;
  activitySellingPrice?: number;
  /** 8–32 of `[0-9A-Za-z_-|*@]`, not starting with `_`; single use, even after a failed attempt. */
  outTradeNo: string;
  attach: string;
}

/** What to sign with. */
export interface VirtualPaymentSigningKeys {
  appKeys: XPayAppKeys;
  /** The paying user's *current* session_key (a login elsewhere replaces it: -15005). Never sent to the client. */
  sessionKey: string;
}

/** Exactly what `wx.requestVirtualPayment` takes (besides its callbacks). */
export interface VirtualPaymentParams {
  mode: VirtualPaymentMode;
  /** The JSON string: pass it as is. */
  signData: string;
  paySig: string;
  signature: string;
}

/**
 * Serialises signData once, in the official example's key order, with only the documented fields (no
 * `platform`: older samples had it and it is reported to break the signature check).
 *
 * @throws XPayRequestValidationError naming the field at fault.
 */
export function serializeSignData(mode: VirtualPaymentMode, fields: SignDataFields): string {
  checkText('offerId', fields.offerId, 64);
  if (!Number.isSafeInteger(fields.buyQuantity) || fields.buyQuantity < 1) {
    throw invalidField('buyQuantity', `must be a positive whole number, got ${fields.buyQuantity}`);
  }
  if (!isXPayEnv(fields.env)) throw invalidField('env', 'must be 0 (production) or 1 (sandbox)');
  if (fields.currencyType !== 'CNY') throw invalidField('currencyType', 'must be CNY');
  const goods = mode === 'short_series_goods';
  if (!goods && mode !== 'short_series_coin') {
    throw invalidField('mode', 'must be short_series_goods or short_series_coin');
  }
  if (goods) {
    checkText('productId', fields.productId ?? '', 64);
    checkFen('goodsPrice', fields.goodsPrice ?? Number.NaN);
  } else if (fields.productId !== undefined || fields.goodsPrice !== undefined) {
    throw invalidField('productId', 'productId and goodsPrice belong to short_series_goods only');
  }
  const discounted = fields.activitySellingPrice;
  if (discounted !== undefined) {
    const price = fields.goodsPrice;
    if (price === undefined) throw invalidField('activitySellingPrice', 'needs goodsPrice');
    checkFen('activitySellingPrice', discounted);
    // "优惠价格最低为道具价格的40%", and a discount is never dearer than the price.
    if (discounted > price || discounted * 10 < price * 4) {
      throw invalidField('activitySellingPrice', `must be between 40% and 100% of goodsPrice (${price})`);
    }
  }
  checkOutTradeNo('outTradeNo', fields.outTradeNo);
  if (typeof fields.attach !== 'string') throw invalidField('attach', 'must be a string');

  return JSON.stringify({
    offerId: fields.offerId,
    buyQuantity: fields.buyQuantity,
    env: fields.env,
    currencyType: fields.currencyType,
    ...(goods ? { productId: fields.productId, goodsPrice: fields.goodsPrice } : {}),
    ...(discounted !== undefined ? { activitySellingPrice: discounted } : {}),
    outTradeNo: fields.outTradeNo,
    attach: fields.attach,
  });
}

/**
 * Signs an already serialised signData: paySig with the AppKey of `env`, signature with the session_key, both
 * over the string's exact bytes.
 *
 * @param env the env *inside* signData; passed separately so the caller cannot sign with the other env's key
 *   without saying so (the check below refuses a mismatch).
 * @throws TypeError when signData is not a JSON object carrying that env, or a key is missing.
 */
export function signVirtualPayment(
  mode: VirtualPaymentMode,
  signData: string,
  env: XPayEnv,
  keys: VirtualPaymentSigningKeys,
): VirtualPaymentParams {
  let parsed: unknown;
  try {
    parsed = JSON.parse(signData);
  } catch {
    throw new TypeError('signData must be a JSON string');
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { env?: unknown }).env !== env) {
    throw new TypeError(`signData must be a JSON object with "env":${env}`);
  }
  return {
    mode,
    signData,
    paySig: computePaySig(appKeyForEnv(keys.appKeys, env), VIRTUAL_PAYMENT_SIGN_URI, signData),
    signature: computeUserSignature(keys.sessionKey, signData),
  };
}

/**
 * The `wx.requestVirtualPayment` parameters to buy an item for cash (道具直购).
 *
 * @throws XPayRequestValidationError for a field outside its documented limits; TypeError for a missing key.
 */
export function buildGoodsPaymentParams(
  input: GoodsPaymentInput,
  keys: VirtualPaymentSigningKeys,
): VirtualPaymentParams {
  const signData = serializeSignData('short_series_goods', {
    offerId: input.offerId,
    buyQuantity: input.buyQuantity ?? 1,
    env: input.env,
    currencyType: 'CNY',
    productId: input.productId,
    goodsPrice: input.goodsPrice,
    ...(input.activitySellingPrice !== undefined ? { activitySellingPrice: input.activitySellingPrice } : {}),
    outTradeNo: input.outTradeNo,
    attach: input.attach,
  });
  return signVirtualPayment('short_series_goods', signData, input.env, keys);
}
