/**
 * What WeChat checks when the Mini Program calls `wx.requestVirtualPayment`, in the emulator: the signData
 * string, paySig under the AppKey of its env over `requestVirtualPayment&` + signData, the user signature under
 * the user's current session_key, then the fields. Each refusal is the documented -150xx code.
 */
import {
  VIRTUAL_PAYMENT_SIGN_URI,
  computePaySig,
  computeUserSignature,
  isOutTradeNo,
  isPositiveFen,
  signaturesMatch,
  type XPayEnv,
} from '../../xpay/index.js';
import type { XPaySandboxCredentials } from './xpay-credentials.js';
import { VP, VirtualPaymentFailure } from './virtual-payment-failure.js';

/** A checked item purchase. */
export interface CheckedPurchase {
  env: XPayEnv;
  productId: string;
  quantity: number;
  unitPrice: number;
  paidUnitPrice: number;
  outTradeNo: string;
  attach: string;
}

/** The user's session_keys, as code2Session issued them (newest first). */
export interface SessionKeys {
  current?: string;
  previous: string[];
}

function fail(errCode: number, detail: string): never {
  throw new VirtualPaymentFailure(errCode, detail);
}

/**
 * Checks a `wx.requestVirtualPayment` call.
 *
 * @throws VirtualPaymentFailure with WeChat's errCode.
 */
export function checkVirtualPayment(
  input: { mode: unknown; signData: unknown; paySig: unknown; signature: unknown },
  credentials: XPaySandboxCredentials,
  sessionKeys: SessionKeys,
): CheckedPurchase {
  if (input.mode === 'short_series_coin') fail(VP.COIN_NOT_PUBLISHED, 'no coin is published in the sandbox');
  if (input.mode !== 'short_series_goods') fail(VP.INVALID_PARAMETER, 'mode must be short_series_goods');
  if (typeof input.signData !== 'string') fail(VP.SIGN_DATA_MALFORMED, 'signData must be passed as a string');
  const signData = input.signData;
  let parsed: unknown;
  try {
    parsed = JSON.parse(signData);
  } catch {
    fail(VP.SIGN_DATA_MALFORMED, 'signData is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail(VP.SIGN_DATA_MALFORMED, 'signData is not a JSON object');
  }
  const data = parsed as Record<string, unknown>;
  const env = data['env'] ?? 0;
  if (env !== 0 && env !== 1) fail(VP.INVALID_PARAMETER, 'env must be 0 or 1');

  const appKey = env === 0 ? credentials.appKey : credentials.sandboxAppKey;
  if (!signaturesMatch(computePaySig(appKey, VIRTUAL_PAYMENT_SIGN_URI, signData), input.paySig)) {
    fail(VP.PAY_SIG_ERROR, `paySig does not verify with the ${env === 0 ? 'production' : 'sandbox'} AppKey`);
  }
  if (sessionKeys.current === undefined) fail(VP.SESSION_KEY_EXPIRED, 'the user has no session_key: log in');
  if (!signaturesMatch(computeUserSignature(sessionKeys.current, signData), input.signature)) {
    const stale = sessionKeys.previous.some((key) =>
      signaturesMatch(computeUserSignature(key, signData), input.signature),
    );
    fail(
      VP.SIGNATURE_ERROR,
      stale ? 'signature uses a replaced session_key: log in again' : 'signature does not verify',
    );
  }

  if (data['offerId'] !== credentials.offerId)
    fail(VP.INVALID_PARAMETER, "offerId is not this Mini Program's");
  if (data['currencyType'] !== 'CNY') fail(VP.INVALID_CURRENCY, 'currencyType must be CNY');
  const quantity = data['buyQuantity'];
  if (!isPositiveFen(quantity)) fail(VP.INVALID_PARAMETER, 'buyQuantity must be a positive integer');
  const productId = data['productId'];
  if (typeof productId !== 'string' || productId === '') fail(VP.INVALID_PARAMETER, 'productId is required');
  const price = data['goodsPrice'];
  if (!isPositiveFen(price)) fail(VP.GOODS_PRICE_MISMATCH, 'goodsPrice must be a positive integer of fen');
  const discounted = data['activitySellingPrice'];
  if (
    discounted !== undefined &&
    !(isPositiveFen(discounted) && discounted <= price && discounted * 10 >= price * 4)
  ) {
    fail(VP.INVALID_PARAMETER, 'activitySellingPrice must be 40%–100% of goodsPrice');
  }
  const outTradeNo = data['outTradeNo'];
  if (!isOutTradeNo(outTradeNo))
    fail(VP.INVALID_PARAMETER, 'outTradeNo must be 8–32 of [0-9A-Za-z_-|*@], not starting with _');
  const attach = data['attach'];
  if (typeof attach !== 'string') fail(VP.INVALID_PARAMETER, 'attach is required');
  return {
    env,
    productId,
    quantity,
    unitPrice: price,
    paidUnitPrice: (discounted as number | undefined) ?? price,
    outTradeNo,
    attach,
  };
}
